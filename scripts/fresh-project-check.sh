#!/usr/bin/env bash
# The README's "Use clce in your build", done as a new user would: run its install command, then make
# a fresh Maven project outside this repository whose dependencies are the README's Maven snippet and
# whose code is the README's QuickStart.java, build it, run it, and check that CLCE trained
# (the score went down, the classes are learnt). Nothing but the README's snippets goes in, besides the
# bare pom every Maven project has. CI runs it after the test command (.ci/run).
#   scripts/fresh-project-check.sh [work-dir]     (default: a new temporary directory, removed after)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readme="$root/README.md"
work="${1:-}"
if [ -z "$work" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
case "$work" in "$root"*) echo "fresh-project-check: $work is inside the repository" >&2; exit 2 ;; esac

# The fenced block that follows a marker line "<!-- fresh-project: NAME ... -->" in the README.
block() {
  awk -v name="$1" '
    index($0, "<!-- fresh-project: " name) == 1 { armed = 1; next }
    armed && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$readme"
}
# The install command: the first bash block of the section "Use clce in your build".
install_cmd="$(awk '/^## Use clce in your build/ { s = 1 } s && /^```bash/ { b = 1; next } b && /^```/ { exit } b { print }' "$readme")"
deps="$(block maven-dependencies)"
java="$(block 'java QuickStart.java')"
for v in install_cmd deps java; do
  [ -n "${!v}" ] || { echo "fresh-project-check: README has no $v snippet" >&2; exit 1; }
done

echo "== install (README): $install_cmd"
(cd "$root" && eval "$install_cmd")

echo "== fresh project in $work"
mkdir -p "$work/src/main/java"
cat > "$work/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>uses-clce</artifactId>
  <version>1.0</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>17</maven.compiler.release>
  </properties>
  <dependencies>
$deps
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.13.0</version>
      </plugin>
    </plugins>
  </build>
</project>
POM
printf '%s\n' "$java" > "$work/src/main/java/QuickStart.java"

cd "$work"
mvn -B -ntp -q compile dependency:build-classpath -Dmdep.outputFile=cp.txt
# The natives for this platform came through the one backend dependency.
grep -q "nd4j-native-1.0.0-M2.1-linux-x86_64-onednn-avx2.jar" cp.txt || [ "$(uname -sm)" != "Linux x86_64" ] || {
  echo "fresh-project-check: FAIL: the default native build is not on the class path" >&2; exit 1; }
out="$(java -Xmx2g -cp "target/classes:$(cat cp.txt)" QuickStart 2>&1)"
line="$(grep -E '^CLCE score before' <<<"$out" || true)"
echo "$line"
[ -n "$line" ] || { echo "$out" >&2; echo "fresh-project-check: FAIL: QuickStart printed no result" >&2; exit 1; }
read -r before after acc < <(sed -E 's/.*before ([0-9.]+) after ([0-9.]+), training accuracy ([0-9.]+).*/\1 \2 \3/' <<<"$line")
awk -v b="$before" -v a="$after" -v acc="$acc" 'BEGIN { exit !(a < b && acc >= 0.9) }' || {
  echo "fresh-project-check: FAIL: expected the score to fall and accuracy >= 0.9" >&2; exit 1; }
# And a user on another platform resolves its natives the same way (resolution only).
mvn -B -ntp -q -Djavacpp.platform=macosx-arm64 dependency:build-classpath -Dmdep.outputFile=cp-mac.txt
grep -q "nd4j-native-1.0.0-M2.1-macosx-arm64.jar" cp-mac.txt || {
  echo "fresh-project-check: FAIL: -Djavacpp.platform=macosx-arm64 did not bring the macosx-arm64 natives" >&2; exit 1; }
echo "fresh-project-check: ok (install, build, train with CLCE through TwoViewIterator; macosx-arm64 natives resolve)"
