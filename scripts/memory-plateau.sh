#!/usr/bin/env bash
# Memory plateau check: a small training run while the resident set size (RSS) of its JVM is sampled
# with ps once a second into a CSV, then a summary (RSS quartiles over time, growth in the second half).
#
#   scripts/memory-plateau.sh [STEPS] [OUT_DIR]        (defaults: 2000, /tmp/clce-memory)
#
# Environment: the launcher's CLCE_XMX / CLCE_OFFHEAP / CLCE_MAXPHYSICAL (defaults here 1g / 2G / 3G)
# MODEL_ARGS to replace the tiny model below, BATCH (default 16 images, 32 views), TRAIN_ARGS
# (more train options, e.g. --gc-window-ms 0).
# Output: OUT_DIR/rss.csv (elapsed_s,rss_mib,step), OUT_DIR/run/ (the training run), OUT_DIR/summary.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps="${1:-2000}"
out="${2:-/tmp/clce-memory}"
export CLCE_XMX="${CLCE_XMX:-1g}"
export CLCE_OFFHEAP="${CLCE_OFFHEAP:-2G}"
export CLCE_MAXPHYSICAL="${CLCE_MAXPHYSICAL:-3G}"
model_args="${MODEL_ARGS:---arch resnet18 --stem small --width 0.125 --max-blocks 1 --image-size 8}"
batch="${BATCH:-16}"

rm -rf "$out/run"
mkdir -p "$out"
"$root/clce" --version >/dev/null   # builds the jar first when stale, outside the measurement

start=$(date +%s)
# shellcheck disable=SC2086
"$root/clce" train --data fashion-mnist --classes 0,1,2,3,4 --train-per-class 400 --test-per-class 100 \
  $model_args --loss clce --batch "$batch" --steps "$steps" --seed 1 --optimizer sgd --lr 0.05 --warmup-steps 50 \
  --checkpoint-every 500 ${TRAIN_ARGS:-} --log-every 10 --progress-every 100 --eval-batch 128 --out "$out/run" \
  >"$out/train.out" 2>"$out/train.err" &
pid=$!

echo "elapsed_s,rss_mib,step" >"$out/rss.csv"
while kill -0 "$pid" 2>/dev/null; do
  rss_kb=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ' || true)
  { [ -z "$rss_kb" ] || [ "$rss_kb" = 0 ]; } && break
  step=$(tail -n 5 "$out/run/metrics.jsonl" 2>/dev/null | grep -o '"step":[0-9]*' | tail -n 1 | cut -d: -f2 || true)
  echo "$(( $(date +%s) - start )),$(( rss_kb / 1024 )),${step:-0}" >>"$out/rss.csv"
  sleep 1
done
rc=0
wait "$pid" || rc=$?
end=$(date +%s)

python3 - "$out/rss.csv" "$rc" "$(( end - start ))" "$steps" "$out/run/metrics.jsonl" >"$out/summary.txt" <<'PY'
import csv, json, os, sys
rows = [(int(r["elapsed_s"]), int(r["rss_mib"]), int(r["step"])) for r in csv.DictReader(open(sys.argv[1]))]
rc, wall, steps = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
recs = []
if os.path.exists(sys.argv[5]):
    for line in open(sys.argv[5]):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("type") == "step" and "heap_used_mib" in r:
            recs.append(r)
if recs:
    print("from metrics.jsonl (JVM heap used/committed, JavaCPP off-heap, JavaCPP physical bytes):")
    for q in (0.1, 0.25, 0.5, 0.75, 1.0):
        r = recs[min(len(recs) - 1, int(q * (len(recs) - 1)))]
        print(f"  step={r['step']:5d} heap_used={r['heap_used_mib']} heap_committed={r['heap_committed_mib']} "
              f"offheap={r['offheap_mib']} rss={r['rss_mib']} MiB")
print(f"exit code {rc}, wall {wall} s, {len(rows)} samples, {steps} steps requested")
if rows:
    rss = [r[1] for r in rows]
    n = len(rows)
    for q in (0.1, 0.25, 0.5, 0.75, 1.0):
        i = min(n - 1, int(q * (n - 1)))
        print(f"t={rows[i][0]:5d}s step={rows[i][2]:5d} rss={rows[i][1]} MiB  ({int(q*100)}% of samples)")
    half = rss[n // 2:]
    print(f"max {max(rss)} MiB; second half min {min(half)} max {max(half)} MiB, "
          f"last - middle {rss[-1] - rss[n // 2]:+d} MiB")
PY
cat "$out/summary.txt"
exit "$rc"
