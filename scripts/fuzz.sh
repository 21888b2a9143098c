#!/usr/bin/env bash
# Fuzzes the project's file readers with Jazzer (coverage-guided, in JUnit 5; docs/FUZZING.md).
#
#   scripts/fuzz.sh READER SECONDS [LOG_DIR]      one reader
#   scripts/fuzz.sh all SECONDS [LOG_DIR]         every reader, one after the other, SECONDS each
#
# READER: npy safetensorsHeader safetensorsData modelCheckpoint idx idxGzip cifarBinary imageFolder
#         checkpoint checkpointDigested trainJson
#
# Each reader is one @FuzzTest method of a ReaderFuzzTest class, run by Maven with JAZZER_FUZZ=1 (offline,
# -o, the module and what it depends on). The corpus grown so far is kept in <module>/.cifuzz-corpus/
# (ignored by git); an input that breaks the rule (docs/FUZZING.md) is written by Jazzer as
# <module>/src/test/resources/<package>/ReaderFuzzTestInputs/<method>/crash-<sha1>, which the default
# `mvn test` then replays until the reader is fixed: commit it with the fix. The log of each run is
# LOG_DIR/<reader>.log (default /tmp/clce-fuzz); the summary line gives executions and findings.
# Exit 0 when no reader had a finding, 1 otherwise, 2 for bad arguments.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage="usage: scripts/fuzz.sh READER|all SECONDS [LOG_DIR]"
reader="${1:?$usage}"
seconds="${2:?$usage}"
logs="${3:-/tmp/clce-fuzz}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "SECONDS: must be a positive whole number, got '$seconds'" >&2; exit 2; }

# reader -> module, test class, classes to instrument for coverage
declare -A module=(
  [npy]=clce-core
  [safetensorsHeader]=clce-models [safetensorsData]=clce-models [modelCheckpoint]=clce-models
  [idx]=clce-bench [idxGzip]=clce-bench [cifarBinary]=clce-bench [imageFolder]=clce-bench
  [checkpoint]=clce-bench [checkpointDigested]=clce-bench [trainJson]=clce-bench)
declare -A class=(
  [npy]=dev.clce.core.internal.ReaderFuzzTest
  [safetensorsHeader]=dev.clce.models.weights.ReaderFuzzTest [safetensorsData]=dev.clce.models.weights.ReaderFuzzTest
  [modelCheckpoint]=dev.clce.models.weights.ReaderFuzzTest
  [idx]=dev.clce.bench.data.ReaderFuzzTest [idxGzip]=dev.clce.bench.data.ReaderFuzzTest
  [cifarBinary]=dev.clce.bench.data.ReaderFuzzTest [imageFolder]=dev.clce.bench.data.ReaderFuzzTest
  [checkpoint]=dev.clce.bench.train.ReaderFuzzTest [checkpointDigested]=dev.clce.bench.train.ReaderFuzzTest
  [trainJson]=dev.clce.bench.train.ReaderFuzzTest)
json='dev.clce.**,com.fasterxml.jackson.**'
declare -A instrument=(
  [safetensorsHeader]="$json" [safetensorsData]="$json" [checkpoint]="$json" [checkpointDigested]="$json"
  [trainJson]="$json"
  [modelCheckpoint]='dev.clce.**,org.nd4j.autodiff.samediff.serde.**,org.nd4j.autodiff.samediff.SameDiff,org.nd4j.graph.**,com.google.flatbuffers.**'
  [imageFolder]='dev.clce.**,com.sun.imageio.plugins.png.**,com.sun.imageio.plugins.jpeg.**')
order=(npy safetensorsHeader safetensorsData modelCheckpoint idx idxGzip cifarBinary imageFolder checkpoint
  checkpointDigested trainJson)

if [ "$reader" = all ]; then
  readers=("${order[@]}")
elif [ -n "${module[$reader]:-}" ]; then
  readers=("$reader")
else
  echo "READER: one of all ${order[*]}, got '$reader'" >&2; exit 2
fi

mkdir -p "$logs"
status=0
for r in "${readers[@]}"; do
  m="${module[$r]}"; c="${class[$r]}"
  log="$logs/$r.log"
  start="$(date -u +%FT%TZ)"; load="$(cut -d' ' -f1-3 /proc/loadavg)"
  # Jazzer 0.24.0 takes the fuzzing time from @FuzzTest(maxDuration) only; libFuzzer arguments passed as
  # jazzer.internal.arg.N come last on its command line and so override it.
  (cd "$root" && JAZZER_FUZZ=1 mvn -B -ntp -o -q -pl "$m" -am -Dsurefire.failIfNoSpecifiedTests=false \
      -Dtest="$c#$r" -Djazzer.instrument="${instrument[$r]:-dev.clce.**}" \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds" \
      -Djazzer.internal.arg.2=-timeout=60 -Djazzer.internal.arg.3=-print_final_stats=1 test) >"$log.mvn" 2>&1
  rc=$?
  # libFuzzer writes to the test JVM's stderr (Maven's output); Jazzer's Java side to surefire's report
  cat "$log.mvn" "$root/$m/target/surefire-reports/$c-output.txt" >"$log" 2>/dev/null
  rm -f "$log.mvn"
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
  cov="$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')"
  crashes="$(grep -c '== Java Exception\|FuzzTestFindingException\|deadly signal\|ERROR: libFuzzer' "$log")"
  if [ "$rc" -ne 0 ] || [ "${crashes:-0}" -ne 0 ]; then
    result="FINDING (see $log; crash input under $m/src/test/resources)"; status=1
  else
    result="no finding"
  fi
  echo "$r: ${runs:-?} executions in ${seconds} s, coverage ${cov:-?}, $result; started $start, load $load"
done
exit $status
