#!/usr/bin/env bash
# Gradient caching against the plain step, on the default bench preset's encoder (ResNet-18, small
# stem, width 0.25, one block per stage, 16 px, 1 channel: BenchPreset.standard), each run in a JVM of
# its own (the peak resident set is the process's), interleaved round after round:
#   (a) the trainer's plain step at train batch 64   (perf --batch 128: 64 images x 2 views)
#   (b) the chunked step at train batch 1024, chunk 64 (perf --batch 2048 --chunk 128)
#   (c) the plain step at train batch 1024           (perf --batch 2048 --trainer-step)
# and prints a Markdown table and the ratios (b)/(a) of peak RSS and time per image, with the load.
#
#   scripts/perf-chunk.sh                 # ROUNDS=2 STEPS=3 WARMUP=1 LOSS=clce; PLAIN_LARGE=0 skips (c)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
STEPS=${STEPS:-3}
WARMUP=${WARMUP:-1}
LOSS=${LOSS:-clce}
PLAIN_LARGE=${PLAIN_LARGE:-1}
MODEL="--arch resnet18 --stem small --width 0.25 --max-blocks 1 --image-size 16 --channels 1 --num-classes 10"
COMMON="$MODEL --loss $LOSS --steps $STEPS --warmup $WARMUP --json"
declare -A ARGS=(
  [a]="--batch 128 --trainer-step"
  [b]="--batch 2048 --chunk 128"
  [c]="--batch 2048 --trainer-step"
)
NAMES="a b"
[ "$PLAIN_LARGE" = 1 ] && NAMES="a b c"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
./clce --version >/dev/null   # builds the jar first, outside the measurements
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date -u +%Y-%m-%dT%H:%MZ)
for r in $(seq 1 "$ROUNDS"); do
  for n in $NAMES; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    # shellcheck disable=SC2086
    ./clce perf $COMMON ${ARGS[$n]} > "$OUT/$n.$r.json"
    echo "$load" > "$OUT/$n.$r.load"
    echo "round $r ($n) done, load $load" >&2
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$OUT" "$ROUNDS" "$NAMES" "$START" "$LOAD_BEFORE" "$LOAD_AFTER" "$COMMON" <<'PY'
import json, statistics, sys
out, rounds, names, start, lb, la, common = sys.argv[1:]
rounds = int(rounds)
label = {"a": "(a) plain step, train batch 64 (`--batch 128 --trainer-step`)",
         "b": "(b) chunked step, train batch 1024, chunk 64 (`--batch 2048 --chunk 128`)",
         "c": "(c) plain step, train batch 1024 (`--batch 2048 --trainer-step`)"}
runs = {n: [json.load(open(f"{out}/{n}.{r}.json")) for r in range(1, rounds + 1)] for n in names.split()}
loads = {n: [open(f"{out}/{n}.{r}.load").read().strip() for r in range(1, rounds + 1)] for n in names.split()}
med = lambda n, k: statistics.median(j[k] for j in runs[n])
print(f"Measured {start} by `scripts/perf-chunk.sh` ({rounds} rounds, interleaved; each run `./clce perf {common}` "
      f"plus the arguments below, in a JVM of its own). Load average before {lb}, after {la}.\n")
print("| run | step (median over rounds) | time per image | peak RSS (process) | peak RSS (timed steps) | RSS at start | load per round |")
print("|---|---:|---:|---:|---:|---:|---|")
for n in runs:
    print(f"| {label[n]} | {med(n, 'median_step_s'):.3f} s | {1e3 * med(n, 's_per_image'):.3f} ms | "
          f"{med(n, 'peak_rss_mb'):.0f} MiB | {med(n, 'timed_peak_rss_mb'):.0f} MiB | {med(n, 'rss_start_mb'):.0f} MiB | "
          f"{', '.join(loads[n])} |")
def ratio(x, y, k):
    return med(x, k) / med(y, k)
print()
rows = [("b", "a", "peak RSS (process)", "peak_rss_mb", 1.3), ("b", "a", "time per image", "s_per_image", 1.5)]
if "c" in runs:
    rows += [("b", "c", "peak RSS (process)", "peak_rss_mb", None), ("b", "c", "time per image", "s_per_image", None)]
for x, y, what, k, target in rows:
    r = ratio(x, y, k)
    t = f" (target <= {target}: {'met' if r <= target else 'MISSED'})" if target else ""
    print(f"- {what} ({x}) / ({y}): **{r:.2f}x**{t}")
pa = med("a", "peak_rss_mb") - med("a", "rss_start_mb")
pb = med("b", "peak_rss_mb") - med("b", "rss_start_mb")
print(f"- peak RSS above the start (JVM and ND4J loaded, no model): (b) {pb:.0f} MiB / (a) {pa:.0f} MiB = {pb / pa:.2f}x")
PY
