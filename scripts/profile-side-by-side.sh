#!/usr/bin/env bash
# Where one training step spends its time, SameDiff next to PyTorch on the same network and batch
# (issue 14, item 1): `./clce perf --profile` (time per SameDiff op type), `scripts/perf_torch.py
# --profile` (torch.profiler's self CPU time per aten op), both grouped into the same categories, and
# oneDNN's primitives per step (two DNNL_VERBOSE runs, EXTRA steps apart). Prints a markdown report
# with the machine, date and load; run it on a quiet machine (timings swing under load). PyTorch's
# op counts include its dispatch layers (aten::conv2d -> aten::convolution -> ... each count once).
#
#   scripts/profile-side-by-side.sh [PERF_ARGS...]
#   default PERF_ARGS: the bench's encoder, --arch resnet18 --stem small --width 0.25 --max-blocks 1
#                      --image-size 16 --batch 128 --loss clce
#   STEPS  timed steps per run (default 10)   EXTRA  extra steps of the long DNNL_VERBOSE run (default 2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
STEPS="${STEPS:-10}"; EXTRA="${EXTRA:-2}"
if [ "$#" -eq 0 ]; then
  set -- --arch resnet18 --stem small --width 0.25 --max-blocks 1 --image-size 16 --batch 128 --loss clce
fi
case "$STEPS$EXTRA" in *[!0-9]*|"") echo "STEPS and EXTRA: must be whole numbers, got '$STEPS' and '$EXTRA'" >&2; exit 2;; esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./clce --help >/dev/null   # build first, outside the timed runs
echo "# Step profile: $*"
echo
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load before: $(cut -d' ' -f1-3 /proc/loadavg); OMP_WAIT_POLICY=PASSIVE both sides, PyTorch flushes denormals."
echo
export OMP_WAIT_POLICY=PASSIVE
./clce perf "$@" --steps "$STEPS" --profile 500 --json >"$work/java.json"
/usr/bin/python3 scripts/perf_torch.py "$@" --steps "$STEPS" --flush-denormal --profile 500 --json >"$work/torch.json"
DNNL_VERBOSE=1 ./clce perf "$@" --steps 1 >"$work/dnnl1.log" 2>&1
DNNL_VERBOSE=1 ./clce perf "$@" --steps "$((1 + EXTRA))" >"$work/dnnl2.log" 2>&1
/usr/bin/python3 scripts/profile_side_by_side.py "$work/java.json" "$work/torch.json" "$work/dnnl1.log" "$work/dnnl2.log" "$EXTRA"
echo
echo "Load after: $(cut -d' ' -f1-3 /proc/loadavg)."
