#!/usr/bin/env bash
# Side-by-side timing of two builds of clce (two checkouts, each with its ./clce), interleaved
# A B A B ... so that both see the same machine load; prints each round's median step time and the
# ratio B/A, then the median ratio.
#
#   scripts/perf-ab.sh CHECKOUT_A CHECKOUT_B ROUNDS PERF_ARGS...
#   e.g. scripts/perf-ab.sh /tmp/old . 5 --loss-only --loss clce --m 256 --d 768 --form samediff
#
# Each call is `./clce perf PERF_ARGS --json` in its own JVM; the value compared is median_step_s.
# ENV_A / ENV_B: environment assignments for one side only (space-separated NAME=VALUE), to compare
# settings on one build, e.g. ENV_B="DNNL_MAX_CPU_ISA=AVX2" scripts/perf-ab.sh . . 6 --arch resnet50
set -euo pipefail
a="${1:?usage: scripts/perf-ab.sh CHECKOUT_A CHECKOUT_B ROUNDS PERF_ARGS...}"; b="${2:?}"; rounds="${3:?}"; shift 3
for d in "$a" "$b"; do
  [ -x "$d/clce" ] || { echo "checkout: no ./clce in $d" >&2; exit 2; }
  "$d/clce" --version >/dev/null   # build first when stale, outside the timing
done
median() { tr ' ' '\n' | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
err="$(mktemp)"; trap 'rm -f "$err"' EXIT
step() {
  local json envs="$1"; shift
  # shellcheck disable=SC2086
  json=$(env $envs "$1/clce" perf "${@:2}" --json 2>"$err") || { echo "perf-ab: ./clce perf failed in $1:" >&2; tail -5 "$err" >&2; exit 1; }
  /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["median_step_s"])' "$json"
}
echo "perf-ab: $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg), A: $a ${ENV_A:-}, B: $b ${ENV_B:-}, args: $*"
ratios=""
for r in $(seq 1 "$rounds"); do
  ta=$(step "${ENV_A:-}" "$a" "$@"); tb=$(step "${ENV_B:-}" "$b" "$@")
  ratio=$(awk -v x="$ta" -v y="$tb" 'BEGIN {printf "%.3f", y / x}')
  ratios="$ratios $ratio"
  echo "round $r: A $ta s, B $tb s, B/A $ratio (load $(cut -d' ' -f1 /proc/loadavg))"
done
echo "median B/A over $rounds rounds: $(echo $ratios | median)"
