#!/usr/bin/env bash
# Loss benchmark: forward+backward time of each loss in float, Java (eager and SameDiff, `./clce
# loss-bench`) next to PyTorch (scripts/bench_losses.py), run interleaved (Java, PyTorch, Java,
# PyTorch, ...) so that both sides see the same machine state. Writes the table, with machine,
# versions, date and the spread between repeats, into docs/BENCHMARKS.md (between the loss-bench
# markers; the rest of the file is kept).
#   ROUNDS   interleaved rounds (default 2)     REPS     timed runs per configuration (default 20)
#   WARMUP   untimed runs first (default 5)     M, D     comma lists (default 128,256 and 128,768)
#   OUT_MD   the markdown file (default docs/BENCHMARKS.md)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ROUNDS="${ROUNDS:-2}"; REPS="${REPS:-20}"; WARMUP="${WARMUP:-5}"
M="${M:-128,256}"; D="${D:-128,768}"
OUT_MD="${OUT_MD:-docs/BENCHMARKS.md}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

./clce --help >/dev/null   # builds the tool first when it is stale, outside the timed runs
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r/$ROUNDS: java" >&2
  ./clce loss-bench --json --m "$M" --d "$D" --reps "$REPS" --warmup "$WARMUP" --dtype float \
    >"$work/java_$r.json" 2>"$work/java_$r.log"
  echo "round $r/$ROUNDS: pytorch" >&2
  /usr/bin/python3 scripts/bench_losses.py --json --m "$M" --d "$D" --reps "$REPS" --warmup "$WARMUP" --threads 2 \
    >"$work/torch_$r.json"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$(dirname "$OUT_MD")"
/usr/bin/python3 - "$work" "$ROUNDS" "$OUT_MD" "$load_before" "$load_after" <<'PY'
import datetime, glob, json, os, platform, re, statistics, subprocess, sys

work, rounds, out_md, load_before, load_after = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
java = [json.load(open(f"{work}/java_{r}.json")) for r in range(1, rounds + 1)]
torch_ = [json.load(open(f"{work}/torch_{r}.json")) for r in range(1, rounds + 1)]

def table(runs, key="median_ms"):
    t = {}
    for run in runs:
        for row in run["results"]:
            t.setdefault((row["loss"], row["form"], row["M"], row["d"]), []).append(row[key])
    return t

jt, tt = table(java), table(torch_)
jbest, tbest = table(java, "min_ms"), table(torch_, "min_ms")

def summary(v):
    med = statistics.median(v)
    spread = (max(v) - min(v)) / med * 100 if med > 0 else 0.0
    return med, spread

def lscpu(field):
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        m = re.search(rf"^{field}:\s*(.+)$", out, re.M)
        return m.group(1).strip() if m else "?"
    except OSError:
        return "?"

jv = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
lib = sorted(os.path.basename(p) for p in glob.glob("clce-bench/target/lib/nd4j-native-*-linux-x86_64*.jar") if "preset" not in p)
t0 = torch_[0]
losses = ["ce", "supcon", "hscl", "cl", "lacln", "clce"]
lines = []
lines.append("<!-- loss-bench:begin (written by scripts/bench-losses.sh; edits here are overwritten) -->")
lines.append("## Loss forward+backward time: Java vs PyTorch")
lines.append("")
lines.append(f"Measured {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by "
             "`scripts/bench-losses.sh`: float32, two views of M/2 images, 10 classes, random normal inputs, "
             f"default hyper-parameters (tau 0.5, lambda 0.9, beta 0.5, log-of-mean). Each side ran {rounds} times, "
             "interleaved (Java, PyTorch, Java, PyTorch); each run reports the median of "
             f"{java[0]['reps']} timed calls after {java[0]['warmup']} warm-up calls; the table shows the median of "
             "the runs' medians and, in parentheses, the spread between runs ((max - min) / median).")
lines.append("")
lines.append("- Java eager: `EagerLoss.compute` (value and both gradients, in closed form without a SameDiff graph; inputs validated on every call).")
lines.append("- Java SameDiff: `sd.calculateGradients` on a graph built once with fixed shapes.")
lines.append("- PyTorch: `loss(z, y, o).backward()` with the LOSSES.md implementations of "
             "`clce-core/src/test/python/make_loss_fixtures.py`, `torch.set_num_threads(2)`.")
lines.append("- ratio = Java time / PyTorch time (above 1: Java is slower). The last two columns divide the fastest "
             "single call seen in any run (less sensitive to the other sessions' load than the medians, but "
             "optimistic for both sides).")
lines.append("")
busy = float(load_before.split()[0]) >= 1.5
lines.append(("**The machine was shared with other work while this ran**" if busy else
              "The machine ran nothing else at the start (the load is this benchmark's own)")
             + f" (load average {load_before} before, {load_after} after, on {os.cpu_count()} cores)"
             + (", so these numbers are noisy: read them as orders of magnitude, and look at the spread column "
                "before trusting a difference." if busy else "; look at the spread column before trusting a "
                "difference."))
lines.append(f"OMP_WAIT_POLICY for both sides: {os.environ.get('OMP_WAIT_POLICY', 'unset (libgomp default)')}.")
lines.append("")
lines.append("| loss | M | d | Java eager ms | Java SameDiff ms | PyTorch ms | eager / PyTorch | SameDiff / PyTorch "
             "| best: eager / PyTorch | best: SameDiff / PyTorch |")
lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
ms = sorted({k[2] for k in tt}); ds = sorted({k[3] for k in tt})
def cell(v):
    if v is None:
        return "n/a", None
    med, spread = summary(v)
    return f"{med:.2f} ({spread:.0f}%)", med
for loss in losses:
    for m in ms:
        for d in ds:
            e, em = cell(jt.get((loss, "eager", m, d)))
            s, sm = cell(jt.get((loss, "samediff", m, d)))
            p, pm = cell(tt.get((loss, "pytorch", m, d)))
            r1 = f"{em / pm:.1f}" if em and pm else "n/a"
            r2 = f"{sm / pm:.1f}" if sm and pm else "n/a"
            be, bs, bp = (min(x) if x else None for x in (jbest.get((loss, "eager", m, d)),
                                                           jbest.get((loss, "samediff", m, d)),
                                                           tbest.get((loss, "pytorch", m, d))))
            b1 = f"{be / bp:.1f} ({be:.2f} / {bp:.2f})" if be and bp else "n/a"
            b2 = f"{bs / bp:.1f} ({bs:.2f} / {bp:.2f})" if bs and bp else "n/a"
            lines.append(f"| {loss} | {m} | {d} | {e} | {s} | {p} | {r1} | {r2} | {b1} | {b2} |")
lines.append("")
lines.append("Machine and versions:")
lines.append("")
cpus, cores, threads = lscpu(r"CPU\(s\)"), lscpu(r"Core\(s\) per socket"), lscpu(r"Thread\(s\) per core")
lines.append(f"- CPU: {lscpu('Model name')}, {cpus} logical CPUs ({cores} cores per socket, {threads} threads per "
             f"core); {platform.system()} {platform.release()}")
lines.append(f"- Java: {jv}; ND4J backend {java[0]['backend']} ({', '.join(lib) or '?'}), "
             f"ND4J max threads {java[0]['nd4j_max_threads']}")
lines.append(f"- PyTorch {t0['torch']} (Debian python3-torch), NumPy {t0['numpy']}, "
             f"torch threads {t0['torch_num_threads']}")
lines.append(f"- BLAS libraries loaded by the PyTorch process: {', '.join('`' + p + '`' for p in t0['blas_libraries_loaded'])}")
cfg_line = next((l.strip() for l in t0["torch_config"].splitlines() if "BLAS_INFO" in l), "")
blas_info = re.search(r"BLAS_INFO=([^,]+)", cfg_line)
lines.append(f"- `torch.__config__.show()`: BLAS_INFO={blas_info.group(1) if blas_info else '?'} "
             "(Debian's build calls the system libblas.so.3, which the alternatives system points at OpenBLAS "
             "when libopenblas0-pthread is installed: the loaded libraries above are what counts)")
lines.append("<!-- loss-bench:end -->")
section = "\n".join(lines) + "\n"

if os.path.exists(out_md):
    text = open(out_md).read()
    m = re.search(r"<!-- loss-bench:begin.*?<!-- loss-bench:end -->\n?", text, re.S)
    text = text[:m.start()] + section + text[m.end():] if m else text.rstrip("\n") + "\n\n" + section
else:
    text = "# Benchmarks\n\n" + section
tmp = out_md + ".tmp"
open(tmp, "w").write(text)
os.replace(tmp, out_md)
print(section)
PY
