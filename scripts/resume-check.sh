#!/usr/bin/env bash
# End-to-end check of exact resume across processes: a straight training run, and the same run killed
# with SIGKILL after its checkpoint at step 20 (somewhere in steps 30-39) and resumed with --resume.
# Both final.json files must hold the same weights_sha256.
#
#   scripts/resume-check.sh [OUT_DIR]        (default /tmp/clce-resume-check; needs Fashion-MNIST)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/clce-resume-check}"
args=(--data fashion-mnist --classes 0,1,2,3,4 --train-per-class 100 --test-per-class 20
  --arch resnet18 --stem small --width 0.125 --max-blocks 1 --image-size 8 --loss clce --batch 16
  --steps 60 --seed 7 --optimizer sgd --lr 0.05 --warmup-steps 5 --checkpoint-every 20 --progress-every 20)
rm -rf "$out"
mkdir -p "$out"
"$root/clce" --version >/dev/null   # build first when stale

"$root/clce" train "${args[@]}" --out "$out/straight" >"$out/straight.out" 2>"$out/straight.err"

"$root/clce" train "${args[@]}" --out "$out/killed" >/dev/null 2>"$out/killed.err" &
pid=$!
until [ -f "$out/killed/checkpoint-000000020.ckpt" ] && grep -q '"step":3[0-9]' "$out/killed/metrics.jsonl" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { echo "the run ended before it could be killed" >&2; exit 1; }
  sleep 0.2
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
killed_at=$(grep -o '"step":[0-9]*' "$out/killed/metrics.jsonl" | tail -n 1 | cut -d: -f2)

"$root/clce" train "${args[@]}" --out "$out/killed" --resume >"$out/resumed.out" 2>"$out/resumed.err"

a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["weights_sha256"])' "$out/straight/final.json")
b=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["weights_sha256"])' "$out/killed/final.json")
echo "killed after step $killed_at; $(grep -o "resumed from [^ ]*" "$out/resumed.err" | head -n 1)"
echo "straight  $a"
echo "resumed   $b"
if [ "$a" = "$b" ]; then echo "identical"; else echo "DIFFERENT"; exit 1; fi
