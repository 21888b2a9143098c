#!/usr/bin/env bash
# SIGKILL at random moments: the run of scripts/resume-check.sh (longer, with a checkpoint every few
# steps) is killed KILLS times and resumed with --resume after each kill; then it runs to the end and
# its final.json must hold the same weights_sha256 as an uninterrupted run.
#
#   scripts/kill-resume.sh [KILLS] [OUT_DIR]       (defaults 20, /tmp/clce-kill-resume; needs Fashion-MNIST)
#
# Environment: STEPS (default 300), CHECKPOINT_EVERY (default 2), KILL_SEED (the schedule, default 1),
# WRITE_EVERY (default 3: every 3rd kill waits for a checkpoint's temporary file to appear and kills on
# sight, so that kills land inside checkpoint writes; the others come after a random delay from half
# the start-up time to the start-up time plus 1.5 times a kill's share of the training time). OMP_NUM_THREADS defaults to 1: weights repeat bit for
# bit only at a fixed thread count (docs/TRAINING.md).
# Output: OUT_DIR/kills.csv (one row per kill: where it landed), OUT_DIR/summary.txt; exit 1 unless
# identical and no temporary file (.*.tmp) is left in the run directory at the end.
set -euo pipefail
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
kills="${1:-20}"
out="${2:-/tmp/clce-kill-resume}"
export RESUME_STEPS="${STEPS:-300}"
export RESUME_CHECKPOINT_EVERY="${CHECKPOINT_EVERY:-2}"
write_every="${WRITE_EVERY:-3}"
RANDOM="${KILL_SEED:-1}"
# shellcheck source=resume-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/resume-lib.sh"
rm -rf "$out"
mkdir -p "$out"
resume_build

now_ms() { date +%s%3N; }
# the step of the newest checkpoint in the run directory (0 when none)
newest_step() {
  local f
  f=$(find "$out/killed" -maxdepth 1 -name 'checkpoint-*.ckpt' -printf '%f\n' 2>/dev/null | sort | tail -n 1)
  f="${f#checkpoint-}"
  f="${f%.ckpt}"
  echo $(( 10#${f:-0} ))
}
# true when a checkpoint's temporary file exists that was not there before this attempt (builtins only)
new_checkpoint_temp() {
  local f
  for f in "$out/killed"/.checkpoint-*.tmp; do
    [ -e "$f" ] && [[ "$temps_before" != *"${f##*/}"* ]] && return 0
  done
  return 1
}
# when metrics.jsonl was last written, in ms (0 when absent): an attempt that wrote no record of its
# own leaves the previous attempt's steps there
metrics_ms() {
  local t
  t=$(stat -c '%.3Y' "$out/killed/metrics.jsonl" 2>/dev/null || echo 0)
  echo $(( ${t/./} ))
}
# temporary files of atomic writes in the run directory, one a line, sorted (a kill can leave them;
# the next start removes them)
temp_files() { find "$out/killed" -maxdepth 1 -name '.*.tmp' -printf '%f\n' 2>/dev/null | sort || true; }

# The uninterrupted run, timed: start-up (until its first metrics record) and the whole.
t0=$(now_ms)
"${resume_cmd[@]}" --out "$out/straight" >"$out/straight.out" 2>"$out/straight.err" &
pid=$!
startup_ms=
while kill -0 "$pid" 2>/dev/null; do
  if [ -z "$startup_ms" ] && [ -s "$out/straight/metrics.jsonl" ]; then startup_ms=$(( $(now_ms) - t0 )); fi
  sleep 0.05
done
wait "$pid"
total_ms=$(( $(now_ms) - t0 ))
straight=$(resume_sha "$out/straight")
# A random kill comes after half the start-up and within the start-up plus 1.5 times this kill's
# share of the training time, so that most land in training, some in start-up (reading the checkpoint).
from_ms=$(( startup_ms / 2 ))
window_ms=$(( startup_ms - from_ms + 3 * (total_ms - startup_ms) / (2 * kills) ))

dir="$out/killed"
echo "kill,mode,delay_ms,step_before,resumed_at,step_at_kill,newest_checkpoint,temp_files,landed" >"$out/kills.csv"
for k in $(seq 1 "$kills"); do
  before=$(resume_last_step "$dir")
  # where this attempt starts: the newest checkpoint's step (a resume drops later metrics records)
  start=$(newest_step)
  temps_before=$(temp_files)
  mode=random
  [ $(( k % write_every )) -eq 0 ] && mode=write
  t0=$(now_ms)
  "${resume_cmd[@]}" --out "$dir" --resume >>"$out/attempts.out" 2>>"$out/attempts.err" &
  pid=$!
  if [ "$mode" = write ]; then
    # kill on sight of a checkpoint being written (its temporary file, .checkpoint-*.tmp): wait for the
    # first step of this attempt, then poll with shell builtins only (no process per poll, for speed)
    until [ "$(resume_last_step "$dir")" != "$before" ] || ! kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    # (a temporary file left by an earlier kill does not count)
    until new_checkpoint_temp; do
      kill -0 "$pid" 2>/dev/null || break
    done
  else
    delay=$(( from_ms + (RANDOM * 32768 + RANDOM) % window_ms ))
    sleep "$(printf '%d.%03d' $(( delay / 1000 )) $(( delay % 1000 )))"
  fi
  if ! kill -9 "$pid" 2>/dev/null; then
    wait "$pid" || true
    echo "attempt $k ended before it was killed (see $out/attempts.err); raise STEPS" >&2
    exit 1
  fi
  wait "$pid" 2>/dev/null || true
  delay_ms=$(( $(now_ms) - t0 ))
  at=$(resume_last_step "$dir")
  newest=$(cd "$dir" 2>/dev/null && find . -maxdepth 1 -name 'checkpoint-*.ckpt' -printf '%f\n' | sort | tail -n 1 || true)
  temps=$(comm -13 <(echo "$temps_before") <(temp_files) | paste -sd ' ')
  if [[ "$temps" == *".checkpoint-"* ]]; then landed="checkpoint write"
  elif [ -n "$temps" ]; then landed="other write ($temps)"
  elif [ "$(metrics_ms)" -lt "$t0" ] || [ "$at" -le "$start" ]; then landed="start-up (no step)"
  else landed="training"; fi
  echo "$k,$mode,$delay_ms,$before,$start,$at,${newest:-none},${temps:-none},$landed" | sed 's/ ,/,/g' >>"$out/kills.csv"
done

"${resume_cmd[@]}" --out "$dir" --resume >"$out/final.out" 2>"$out/final.err"
resumed=$(resume_sha "$dir")
# Each start removes what the kill before it left (a log line per start that found some); after the
# last run, none may remain.
left=$(temp_files | paste -sd ' ')
removed=$(cat "$out/attempts.err" "$out/final.err" | sed -n 's/.*removed \([0-9]*\) temporary files\{0,1\} left by an interrupted run.*/\1/p' \
  | awk '{ n += $1 } END { print n + 0 }')
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load: $(uptime | sed 's/.*load average: //'); OMP_NUM_THREADS=$OMP_NUM_THREADS"
  echo "run: ${RESUME_STEPS} steps, checkpoint every ${RESUME_CHECKPOINT_EVERY}; straight run ${total_ms} ms (start-up ${startup_ms} ms); random kills after ${from_ms}-$(( from_ms + window_ms )) ms; KILL_SEED=${KILL_SEED:-1}"
  echo "kills: $kills; landed: $(tail -n +2 "$out/kills.csv" | cut -d, -f9 | sed 's/ (.*//' | sort | uniq -c | sed 's/^ *//' | paste -sd ';' | sed 's/;/; /g')"
  echo "straight  $straight"
  echo "resumed   $resumed"
  if [ "$straight" = "$resumed" ]; then echo "identical"; else echo "DIFFERENT"; fi
  echo "temporary files removed by the starts after kills: $removed; left at the end: ${left:-none}"
} >"$out/summary.txt"
cat "$out/summary.txt"
[ "$straight" = "$resumed" ] && [ -z "$left" ]
