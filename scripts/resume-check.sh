#!/usr/bin/env bash
# End-to-end check of exact resume across processes: a straight training run, and the same run killed
# with SIGKILL after its checkpoint at step 20 (somewhere in steps 30-39) and resumed with --resume.
# Both final.json files must hold the same weights_sha256. scripts/kill-resume.sh kills it 20 times.
#
#   scripts/resume-check.sh [OUT_DIR]        (default /tmp/clce-resume-check; needs Fashion-MNIST)
set -euo pipefail
# shellcheck source=resume-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/resume-lib.sh"
out="${1:-/tmp/clce-resume-check}"
rm -rf "$out"
mkdir -p "$out"
resume_build

"${resume_cmd[@]}" --out "$out/straight" >"$out/straight.out" 2>"$out/straight.err"

"${resume_cmd[@]}" --out "$out/killed" >/dev/null 2>"$out/killed.err" &
pid=$!
until [ -f "$out/killed/checkpoint-000000020.ckpt" ] && grep -q '"step":3[0-9]' "$out/killed/metrics.jsonl" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { echo "the run ended before it could be killed" >&2; exit 1; }
  sleep 0.2
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
killed_at=$(resume_last_step "$out/killed")

"${resume_cmd[@]}" --out "$out/killed" --resume >"$out/resumed.out" 2>"$out/resumed.err"

a=$(resume_sha "$out/straight")
b=$(resume_sha "$out/killed")
echo "killed after step $killed_at; $(grep -o "resumed from [^ ]*" "$out/resumed.err" | head -n 1)"
echo "straight  $a"
echo "resumed   $b"
if [ "$a" = "$b" ]; then echo "identical"; else echo "DIFFERENT"; exit 1; fi
