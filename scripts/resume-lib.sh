# Shared by scripts/resume-check.sh and scripts/kill-resume.sh (source it; not a command).
# One small training run of the tiny ResNet on Fashion-MNIST, and helpers to run it straight, to
# resume it and to read its result. Callers set RESUME_STEPS and RESUME_CHECKPOINT_EVERY first
# (defaults 60 and 20, the run of resume-check.sh).
# shellcheck shell=bash
resume_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
resume_args=(--data fashion-mnist --classes 0,1,2,3,4 --train-per-class 100 --test-per-class 20
  --arch resnet18 --stem small --width 0.125 --max-blocks 1 --image-size 8 --loss clce --batch 16
  --steps "${RESUME_STEPS:-60}" --seed 7 --optimizer sgd --lr 0.05 --warmup-steps 5
  --checkpoint-every "${RESUME_CHECKPOINT_EVERY:-20}" --progress-every 20)

# Builds the jar first when stale, so that no timing below includes a build.
resume_build() {
  "$resume_root/clce" --version >/dev/null
}

# The command; add --out DIR (and --resume). Start it in the background as
# "${resume_cmd[@]}" --out DIR & : then $! is the JVM itself (the launcher execs java), which is what
# a SIGKILL must hit. A shell function run with & would be a subshell whose JVM survives the kill.
resume_cmd=("$resume_root/clce" train "${resume_args[@]}")

# resume_sha OUT_DIR: weights_sha256 of the run's final.json.
resume_sha() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["weights_sha256"])' "$1/final.json"
}

# resume_last_step OUT_DIR: the last step recorded in metrics.jsonl (0 when none).
resume_last_step() {
  local s
  s=$(grep -o '"step":[0-9]*' "$1/metrics.jsonl" 2>/dev/null | tail -n 1 | cut -d: -f2 || true)
  echo "${s:-0}"
}
