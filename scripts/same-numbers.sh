#!/usr/bin/env bash
# "The refactor changes no number": runs `./clce bench --quick` on two commits, one after the other,
# each in its own git worktree, and compares runs.csv run by run (top-1, head top-1, isotropy).
#
#   scripts/same-numbers.sh BEFORE_REV [AFTER_REV] [OUT_DIR]     (AFTER_REV default HEAD)
#
# Exit 0 when every run of BEFORE is in AFTER with the same values, 1 otherwise (the differing runs
# are printed). Needs Fashion-MNIST (/usr/share/datasets/fashion-mnist). About 5-10 minutes per commit
# on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
before="${1:?usage: scripts/same-numbers.sh BEFORE_REV [AFTER_REV] [OUT_DIR]}"
after="${2:-HEAD}"
out="${3:-$(mktemp -d /tmp/clce-same-numbers.XXXXXX)}"
mkdir -p "$out"
for side in before after; do
  rev="$before"; [ "$side" = after ] && rev="$after"
  git -C "$root" rev-parse --verify -q "$rev^{commit}" >/dev/null || { echo "rev: not a commit, got $rev" >&2; exit 2; }
  wt="$out/$side-tree"
  rm -rf "$wt"; git -C "$root" worktree prune
  git -C "$root" worktree add -q --detach "$wt" "$rev"
  echo "$side: $(git -C "$wt" log -1 --format='%h %s' | cut -c1-80); $(date -u +%FT%TZ); load $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd "$wt" && OMP_WAIT_POLICY=PASSIVE ./clce bench --quick --out "$out/$side" >"$out/$side.out" 2>"$out/$side.err")
  git -C "$root" worktree remove --force "$wt"
done
/usr/bin/python3 - "$out/before/runs.csv" "$out/after/runs.csv" <<'PY'
import csv, sys
before = {r["key"]: r for r in csv.DictReader(open(sys.argv[1]))}
after = {r["key"]: r for r in csv.DictReader(open(sys.argv[2]))}
cols = ["top1", "head_top1", "isotropy"]
bad = [k for k in before if k not in after or any(before[k][c] != after[k][c] for c in cols)]
for k in bad:
    print("differs:", k, [before[k][c] for c in cols], "->", [after[k][c] for c in cols] if k in after else "missing")
print(f"{len(before) - len(bad)} of {len(before)} runs identical ({', '.join(cols)}); {len(after)} runs after")
sys.exit(1 if bad else 0)
PY
