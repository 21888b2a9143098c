#!/usr/bin/env bash
# Resolves clce-backend's CPU dependencies for every platform the parent pom knows, as Maven would on
# that platform (-Djavacpp.platform=...), and checks that exactly that platform's native jars come:
# the nd4j-native build named by the pom, and openblas and javacpp for the platform. Resolution only:
# nothing is run (only linux-x86_64 has been run, by the test suite).
#   scripts/check-platforms.sh [platform ...]     default: all five
# Downloads the native jars of each platform into ~/.m2 on first use (about 100 MB each).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
platforms=("$@")
if [ ${#platforms[@]} -eq 0 ]; then
  platforms=(linux-x86_64 linux-arm64 macosx-x86_64 macosx-arm64 windows-x86_64)
fi
declare -A build=(
  [linux-x86_64]=linux-x86_64-onednn-avx2 [linux-arm64]=linux-arm64 [macosx-x86_64]=macosx-x86_64
  [macosx-arm64]=macosx-arm64 [windows-x86_64]=windows-x86_64)
status=0
for p in "${platforms[@]}"; do
  want="${build[$p]:?unknown platform $p}"
  log="$(mktemp)"
  if ! mvn -B -ntp -Djavacpp.platform="$p" dependency:resolve -pl clce-backend >"$log" 2>&1; then
    echo "FAIL $p: dependency resolution failed (log: $log)"; status=1; continue
  fi
  natives="$(grep -oE '(org\.nd4j:nd4j-native|org\.bytedeco:openblas|org\.bytedeco:javacpp):jar:[a-z0-9_-]+:' "$log" | sort -u | tr '\n' ' ')"
  ok=1
  for need in "org.nd4j:nd4j-native:jar:$want:" "org.bytedeco:openblas:jar:$p:" "org.bytedeco:javacpp:jar:$p:"; do
    grep -qF "$need" <<<"$natives" || { echo "FAIL $p: missing $need"; ok=0; }
  done
  # Nothing native for another platform (the classifier must start with this platform's name).
  others="$(grep -oE ':jar:[a-z0-9_-]+:' <<<"$natives" | grep -v ":jar:$p" || true)"
  [ -z "$others" ] || { echo "FAIL $p: natives of another platform: $others"; ok=0; }
  if [ "$ok" = 1 ]; then echo "ok   $p: $natives"; rm -f "$log"; else status=1; fi
done
exit $status
