#!/usr/bin/env bash
# Compares the ND4J CPU builds (nd4j-native classifiers) side by side, interleaved, on this machine.
# Usage: scripts/measure-backends.sh [rounds=3] [repeats=15]
# Prints a markdown table (median ms per kernel for each build and round) to stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"; repeats="${2:-15}"
classifiers=(linux-x86_64-onednn-avx512 linux-x86_64-onednn-avx2 linux-x86_64-onednn linux-x86_64)
cd "$root"
mvn -q -B -DskipTests package -pl clce-bench -am >&2
jars="$(mktemp -d)"; trap 'rm -rf "$jars"' EXIT
for c in "${classifiers[@]}"; do
  mvn -q -B dependency:copy -Dartifact="org.nd4j:nd4j-native:1.0.0-M2.1:jar:$c" -DoutputDirectory="$jars/$c" >&2
done
# The runtime classpath without the default native build.
base="clce-bench/target/clce-bench.jar"
for f in clce-bench/target/lib/*.jar; do
  case "$f" in *nd4j-native-1.0.0-M2.1-linux-x86_64*) ;; *) base="$base:$f";; esac
done
echo "| round | build | sgemm 1024 (ms) | conv 3x3 fwd (ms) | conv 3x3 fwd+bwd (ms) | primitive BN fwd+bwd (ms) |"
echo "|---|---|---|---|---|---|"
for r in $(seq 1 "$rounds"); do
  for c in "${classifiers[@]}"; do
    line=$(java -Xmx2g -Dclce.probe.label="$c" -cp "$base:$jars/$c/*" dev.clce.bench.perf.BackendProbe "$repeats" 2>/dev/null | tail -1)
    echo "| $r | $(echo "$line" | tr '\t' '|' | sed 's/|/ | /g') |"
  done
done
