#!/usr/bin/env bash
# Checks the launcher's rebuild rule (README: "the launcher rebuilds when CLCE_MVN_ARGS changes"):
# a build with other Maven arguments is rebuilt, the same arguments are not rebuilt twice, going back
# rebuilds again, and `./clce --version` names the ND4J native build that runs. The arguments used
# here change nothing in the jar (a property no plugin reads), so the check needs no other backend's
# artifacts; with CLCE_MVN_ARGS=-Pcuda the same rule swaps the backend. Leaves the default build.
#
#   scripts/check-launcher.sh        (about two builds of clce-bench; run from anywhere)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-launcher: FAILED: $*" >&2; exit 1; }

run() { # run NAME ARGS...: ./clce --version with CLCE_MVN_ARGS="$ARGS", stdout/stderr to $tmp/NAME.*
  local name="$1" args="$2"
  CLCE_MVN_ARGS="$args" "$root/clce" --version >"$tmp/$name.out" 2>"$tmp/$name.err" || {
    cat "$tmp/$name.err" >&2; fail "$name: ./clce --version exited non-zero"; }
}

run default ""
grep -q '^clce ' "$tmp/default.out" || fail "no version line: $(cat "$tmp/default.out")"
grep -q '^ND4J build: nd4j-native .*(CpuBackend)$' "$tmp/default.out" || fail "no ND4J build line: $(cat "$tmp/default.out")"

run changed "-Dclce.launcher.check=1"
grep -q "Maven arguments changed ('' -> '-Dclce.launcher.check=1'): rebuilding" "$tmp/changed.err" \
  || fail "changed arguments did not rebuild: $(cat "$tmp/changed.err")"
[ "$(cat "$root/clce-bench/target/clce-mvn-args")" = "-Dclce.launcher.check=1" ] || fail "arguments not recorded"

run same "-Dclce.launcher.check=1"
if grep -q "building" "$tmp/same.err"; then fail "the same arguments rebuilt: $(cat "$tmp/same.err")"; fi

run back ""
grep -q "Maven arguments changed ('-Dclce.launcher.check=1' -> ''): rebuilding" "$tmp/back.err" \
  || fail "going back did not rebuild: $(cat "$tmp/back.err")"
cmp -s "$tmp/default.out" "$tmp/back.out" || fail "--version differs after going back"

echo "check-launcher: ok ($(sed -n 2p "$tmp/default.out"))"
