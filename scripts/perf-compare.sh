#!/usr/bin/env bash
# Side-by-side training-step and loss timing: `./clce perf` (Java, SameDiff) next to
# scripts/perf_torch.py (PyTorch 1.13, 2 threads), run interleaved configuration by configuration
# (Java, PyTorch, Java, PyTorch, ...) so that both sides see the same machine state. Writes the
# table with ratios, the machine, the load, the spread between repeats and the denormal setting into
# docs/PERFORMANCE.md between the perf-compare markers (the rest of the file is kept), and with
# PROFILE=1 a per-op-type profile of the Java ResNet-101 step between the perf-profile markers.
#   ROUNDS  repeats of every configuration on each side (default 2)
#   STEPS   timed steps per run (default 3)      WARMUP  untimed steps first (default 1)
#   LOSS_STEPS  timed loss-only calls (default 20)
#   ONLY    space-separated configuration ids to run (default all; see CONFIGS below)
#   PROFILE 1 to also profile the Java ResNet-101 step (default 1)
#   POLICIES  OpenMP wait policies to run both sides under: default (libgomp's) and/or passive
#             (OMP_WAIT_POLICY=PASSIVE); default "default passive"
#   ONLY_default, ONLY_passive  configuration ids to run under that policy only (default all)
#   OUT_MD  the markdown file (default docs/PERFORMANCE.md)
#   TORCH_FLUSH_DENORMAL  1 to run PyTorch with torch.set_flush_denormal(True) (default 0; ND4J has
#             no such switch)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ROUNDS="${ROUNDS:-2}"; STEPS="${STEPS:-3}"; WARMUP="${WARMUP:-1}"; LOSS_STEPS="${LOSS_STEPS:-20}"
PROFILE="${PROFILE:-1}"; OUT_MD="${OUT_MD:-docs/PERFORMANCE.md}"; POLICIES="${POLICIES:-default passive}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# id | common arguments (both sides) | kind | Java-only arguments (then PyTorch is not run again:
# the row is compared with the PyTorch runs of the id before the first "_")
CONFIGS=(
  "r101|--arch resnet101 --image-size 224 --batch 2 --loss clce|train"
  "r101_prim|--arch resnet101 --image-size 224 --batch 2 --loss clce|train|--norm-kernel primitive"
  "r50|--arch resnet50 --image-size 224 --batch 2 --loss clce|train"
  "small|--arch resnet18 --stem small --width 0.25 --max-blocks 1 --image-size 16 --batch 128 --loss clce|train"
  "r50s|--arch resnet50 --stem small --image-size 32 --batch 32 --loss clce|train"
  "r50s_ce|--arch resnet50 --stem small --image-size 32 --batch 32 --loss ce|train"
  "vitb|--arch vit_b_16 --image-size 224 --batch 2 --loss clce|train"
  "vits|--arch vit_s_16 --image-size 32 --batch 64 --loss clce|train"
  "loss128|--loss-only --loss clce --m 128 --d 128|loss"
  "loss256|--loss-only --loss clce --m 256 --d 768|loss"
)

./clce --help >/dev/null   # builds the tool first when it is stale, outside the timed runs
# OpenMP wait policy of both sides' worker threads: "default" = libgomp's own (spin, then sleep),
# "passive" = OMP_WAIT_POLICY=PASSIVE (sleep at once). The ./clce launcher picks passive unless told.
with_policy() {
  local policy="$1"; shift
  if [ "$policy" = passive ]; then
    env OMP_WAIT_POLICY=PASSIVE "$@"
  else
    env -u OMP_WAIT_POLICY CLCE_OMP_WAIT_POLICY=default "$@"
  fi
}
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
date -u +%Y-%m-%dT%H:%MZ >"$work/started"
for r in $(seq 1 "$ROUNDS"); do
  for c in "${CONFIGS[@]}"; do
    IFS='|' read -r id args kind jextra <<<"$c"
    if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $id "* ]]; then continue; fi
    cut -d' ' -f1 /proc/loadavg >"$work/load_${id}_$r"
    for pol in $POLICIES; do
      only_var="ONLY_$pol"
      if [ -n "${!only_var:-}" ] && [[ " ${!only_var} " != *" $id "* ]]; then continue; fi
      if [ "$kind" = loss ]; then
        forms="samediff eager"; steps="$LOSS_STEPS"; warm=5
      else
        forms="samediff"; steps="$STEPS"; warm="$WARMUP"
      fi
      for form in $forms; do
        echo "round $r/$ROUNDS: $id java $form omp-$pol" >&2
        fa=(); [ "$kind" = loss ] && fa=(--form "$form")
        # shellcheck disable=SC2086
        with_policy "$pol" ./clce perf $args ${jextra:-} "${fa[@]}" --steps "$steps" --warmup "$warm" --json \
          >"$work/java-$pol-${form}_${id}_$r.json" 2>"$work/java-$pol-${form}_${id}_$r.log" \
          || { echo "java $id failed, see log:" >&2; tail -5 "$work/java-$pol-${form}_${id}_$r.log" >&2; }
      done
      [ -n "${jextra:-}" ] && continue
      echo "round $r/$ROUNDS: $id pytorch omp-$pol" >&2
      # shellcheck disable=SC2086
      tflags=(); [ "${TORCH_FLUSH_DENORMAL:-0}" = 1 ] && tflags=(--flush-denormal)
      with_policy "$pol" /usr/bin/python3 scripts/perf_torch.py $args "${tflags[@]}" --steps "$steps" --warmup "$warm" --threads 2 --json \
        >"$work/torch-${pol}_${id}_$r.json" 2>"$work/torch-${pol}_${id}_$r.log" || echo "pytorch $id failed" >&2
    done
  done
done
if [ "$PROFILE" = 1 ]; then
  echo "profile: java resnet101" >&2
  cut -d' ' -f1 /proc/loadavg >"$work/load_profile"
  with_policy "${POLICIES##* }" ./clce perf --arch resnet101 --image-size 224 --batch 2 --loss clce --steps 2 --warmup 1 --profile 15 --json \
    >"$work/profile.json" 2>"$work/profile.log" || echo "profile failed" >&2
fi
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$(dirname "$OUT_MD")"
/usr/bin/python3 - "$work" "$ROUNDS" "$OUT_MD" "$load_before" "$load_after" "$STEPS" "$WARMUP" "$LOSS_STEPS" "$POLICIES" "${POLICIES##* }" <<'PY'
import datetime, glob, json, os, platform, re, statistics, subprocess, sys

work, rounds, out_md, load_before, load_after, steps, warmup, loss_steps, policies, prof_policy = sys.argv[1:11]
rounds = int(rounds)
policies = policies.split()

def load(path):
    try:
        with open(path) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return None

def runs(prefix, cid):
    out = []
    for r in range(1, rounds + 1):
        j = load(f"{work}/{prefix}_{cid}_{r}.json")
        if j is not None:
            out.append(j)
    return out

def lscpu(field):
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        m = re.search(rf"^{field}:\s*(.+)$", out, re.M)
        return m.group(1).strip() if m else "?"
    except OSError:
        return "?"

def med_spread(rs, key):
    v = [r[key] for r in rs if r.get(key) is not None]
    if not v:
        return None, None
    m = statistics.median(v)
    return m, ((max(v) - min(v)) / m * 100 if m > 0 and len(v) > 1 else None)

def fmt_t(m, s, unit):
    if m is None:
        return "n/a"
    t = f"{m:.3f} s" if unit == "s" else f"{m * 1e3:.2f} ms"
    return t + (f" ({s:.0f}%)" if s is not None else "")

def ratio(a, b, digits=2):
    return f"{a / b:.{digits}f}" if a and b else "n/a"

def loads(cid):
    v = []
    for r in range(1, rounds + 1):
        try:
            v.append(open(f"{work}/load_{cid}_{r}").read().strip())
        except OSError:
            pass
    return ", ".join(v)

POLICY_TEXT = {"default": "libgomp default", "passive": "PASSIVE"}
train = [("r101", "ResNet-101, 224 px, batch 2, CLCE"), ("r50", "ResNet-50, 224 px, batch 2, CLCE"),
         ("small", "bench encoder: ResNet-18 width 0.25, one block per stage, small stem, 16 px, batch 128, CLCE"),
         ("r101_prim", "same, Java with `--norm-kernel primitive` (BatchNorm from primitive ops; PyTorch: the row above)"), ("r50s", "ResNet-50 small stem, 32 px, batch 32, CLCE"),
         ("r50s_ce", "ResNet-50 small stem, 32 px, batch 32, CE"), ("vitb", "ViT-B/16, 224 px, batch 2, CLCE"),
         ("vits", "ViT-S/16, 32 px (2x2 patches), batch 64, CLCE")]
lossc = [("loss128", "CLCE loss alone, M 128, d 128"), ("loss256", "CLCE loss alone, M 256, d 768")]

L = []
L.append("<!-- perf-compare:begin (written by scripts/perf-compare.sh; edits here are overwritten) -->")
L.append("## Side by side: Java (SameDiff) vs PyTorch")
L.append("")
started = open(f"{work}/started").read().strip()
L.append(f"Measured {started} (UTC) by `scripts/perf-compare.sh` ({rounds} rounds; training: {warmup} warm-up + "
         f"{steps} timed steps per run; loss alone: 5 warm-up + {loss_steps} timed calls per run). For each configuration, "
         "round after round, Java then PyTorch ran in turn under each OpenMP wait policy (`OMP_WAIT_POLICY` unset = "
         "libgomp's default, or PASSIVE; it applies to both processes). A time cell is the median over rounds of each "
         "run's median step time, with the spread between rounds ((max - min) / median) in parentheses. CPU is the "
         "process's CPU seconds per timed step (all threads). ratio = Java / PyTorch (above 1: Java is slower). Peak RSS "
         "is the process's VmHWM (model build, warm-up and timed steps), median over rounds.")
L.append("")
L.append(f"**Load** (1-minute load average, {os.cpu_count()} CPUs): {load_before} before, {load_after} after; the last "
         "column lists it at the start of each round of a configuration. Above about 2 the machine was shared and the "
         "times are inflated and noisy.")
L.append("")
L.append("| configuration | OpenMP wait | Java step | Java CPU | PyTorch step | PyTorch CPU | ratio | Java ops / step | Java RSS MiB | PyTorch RSS MiB | RSS ratio | params Java / PyTorch | load |")
L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
res = {}
for cid, label in train:
    for pol in policies:
        j, t = runs(f"java-{pol}-samediff", cid), runs(f"torch-{pol}", cid.split("_prim")[0])
        if not j:
            continue   # not run (ONLY, ONLY_<policy>) or failed: no row
        jm, js = med_spread(j, "median_step_s"); tm, ts = med_spread(t, "median_step_s")
        jc, _ = med_spread(j, "cpu_s_per_step"); tc, _ = med_spread(t, "cpu_s_per_step")
        jr, _ = med_spread(j, "peak_rss_mb"); tr, _ = med_spread(t, "peak_rss_mb")
        jo, _ = med_spread(j, "ops_per_step")
        res[(cid, pol)] = (jm, tm)
        pj = j[0].get("trainable_parameters") if j else None
        pt = t[0].get("trainable_parameters") if t else None
        params = f"{pj:,} / {pt:,}" if pj and pt else "n/a"
        if pj and pt and pj != pt:
            params += " **differ**"
        L.append(f"| {label} | {POLICY_TEXT.get(pol, pol)} | {fmt_t(jm, js, 's')} | {fmt_t(jc, None, 's')} | "
                 f"{fmt_t(tm, ts, 's')} | {fmt_t(tc, None, 's')} | {ratio(jm, tm)} | {f'{jo:,.0f}' if jo else 'n/a'} | "
                 f"{f'{jr:.0f}' if jr else 'n/a'} | {f'{tr:.0f}' if tr else 'n/a'} | {ratio(jr, tr)} | {params} | {loads(cid)} |")
L.append("")
L.append("| configuration | OpenMP wait | Java SameDiff | Java eager | PyTorch | SameDiff / PyTorch | eager / PyTorch | load |")
L.append("|---|---|---:|---:|---:|---:|---:|---|")
for cid, label in lossc:
    for pol in policies:
        sd_, e, t = runs(f"java-{pol}-samediff", cid), runs(f"java-{pol}-eager", cid), runs(f"torch-{pol}", cid)
        if not sd_ and not e:
            continue
        sm, ss = med_spread(sd_, "median_step_s"); em, es = med_spread(e, "median_step_s"); tm, ts = med_spread(t, "median_step_s")
        L.append(f"| {label} | {POLICY_TEXT.get(pol, pol)} | {fmt_t(sm, ss, 'ms')} | {fmt_t(em, es, 'ms')} | "
                 f"{fmt_t(tm, ts, 'ms')} | {ratio(sm, tm)} | {ratio(em, tm)} | {loads(cid)} |")
L.append("")
for pol in policies:
    jc, tc = res.get(("r50s", pol), (None, None)), res.get(("r50s_ce", pol), (None, None))
    if jc[0] and tc[0] and jc[1] and tc[1]:
        L.append(f"CLCE vs CE step on the same encoder and batch (ResNet-50 small stem, 32 px, batch 32; OpenMP wait "
                 f"{POLICY_TEXT.get(pol, pol)}): Java {(jc[0] / tc[0] - 1) * 100:+.1f}%, PyTorch "
                 f"{(jc[1] / tc[1] - 1) * 100:+.1f}% (CLCE step / CE step - 1, medians over rounds; compare with the "
                 "spreads above before reading a small difference).")
        L.append("")
el = []
for cid, _ in train:
    for pol in policies:
        for key in (f"java-{pol}-samediff", f"torch-{pol}"):
            for rj in runs(key, cid):
                if rj.get("early_median_s") and rj.get("late_median_s"):
                    el.append(rj["late_median_s"] / rj["early_median_s"])
if el:
    L.append(f"Late / early half of the timed steps over all training runs: {min(el):.2f} to {max(el):.2f} (a steady "
             "slow-down as weights shrink would show here as values well above 1; with this few steps it is a weak check "
             "of the denormal effect).")
    L.append("")
allj = [r for cid, _ in train + lossc for pol in policies for r in runs(f"java-{pol}-samediff", cid)]
allt = [r for cid, _ in train + lossc for pol in policies for r in runs(f"torch-{pol}", cid)]
t0 = allt[0] if allt else None
j0 = allj[0] if allj else None
jv = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
lib = sorted(os.path.basename(p) for p in glob.glob("clce-bench/target/lib/nd4j-native-*-linux-x86_64*.jar"))
ncpu = lscpu(r"CPU\(s\)")
L.append("Machine, versions and settings:")
L.append("")
L.append(f"- CPU: {lscpu('Model name')}, {ncpu} logical CPUs; {platform.system()} {platform.release()}; memory "
         f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
if j0:
    L.append(f"- Java: {jv}; ND4J 1.0.0-M2.1 ({', '.join(lib) or '?'}), ND4J threads {j0.get('nd4j_max_threads')}, "
             f"element-wise threshold {j0.get('nd4j_elementwise_threshold')}; launcher defaults (-Xmx4g, JavaCPP maxbytes 8G)")
if t0:
    L.append(f"- PyTorch {t0['torch']} / torchvision {t0.get('torchvision', '?')} (Debian), threads {t0['torch_num_threads']}; "
             f"BLAS libraries mapped: {', '.join('`' + p + '`' for p in t0['blas_libraries_loaded']) or 'none'}")
    fl = bool(t0.get('flush_denormal'))
    L.append(f"- Denormals: PyTorch ran with flush-to-zero **{'on' if fl else 'off'}** "
             f"(`torch.set_flush_denormal({fl})`{'' if fl else ', its default'}); ND4J has no such switch and runs with "
             "the x86 default (FTZ/DAZ off). " + ("Only PyTorch flushes." if fl else "Neither side flushes."))
L.append("- Same work on both sides: torchvision model definitions (parameter counts compared above), random normal "
         "images, two views per image, Adam lr 1e-3, BatchNorm in training mode with running-statistics update, "
         "the LOSSES.md losses (defaults tau 0.5, lambda 0.9).")
L.append("<!-- perf-compare:end -->")
section = "\n".join(L) + "\n"

prof = load(f"{work}/profile.json")
P = None
if prof is not None and prof.get("profile"):
    try:
        lp = open(f"{work}/load_profile").read().strip()
    except OSError:
        lp = "?"
    P = ["<!-- perf-profile:begin (written by scripts/perf-compare.sh with PROFILE=1) -->",
         "## Where the Java ResNet-101 step goes (per op type)", "",
         f"`./clce perf --arch resnet101 --batch 2 --loss clce --steps 2 --warmup 1 --profile 15`, OpenMP wait "
         f"{POLICY_TEXT.get(prof_policy, prof_policy)} (load average {lp} when it started). Median step "
         f"{prof['median_step_s']:.3f} s with the listener on; {prof['profile_op_count']} op executions per step; time "
         f"inside ops {prof['profile_op_total_s']:.3f} s per step (the rest is SameDiff's scheduling between ops, the "
         "Adam update and the listener itself).", "",
         "| op type | s / step | share of op time | executions / step | mean us |", "|---|---:|---:|---:|---:|"]
    tot = prof["profile_op_total_s"]
    for e in prof["profile"]:
        P.append(f"| `{e['op']}` | {e['s_per_step']:.3f} | {100 * e['s_per_step'] / tot:.1f}% | {e['count_per_step']} | {e['mean_us']:.0f} |")
    P.append("<!-- perf-profile:end -->")

def put(text, begin, end, sec):
    m = re.search(rf"<!-- {begin}.*?<!-- {end} -->\n?", text, re.S)
    return text[:m.start()] + sec + text[m.end():] if m else text.rstrip("\n") + "\n\n" + sec

text = open(out_md).read() if os.path.exists(out_md) else "# Performance\n"
text = put(text, "perf-compare:begin", "perf-compare:end", section)
if P:
    text = put(text, "perf-profile:begin", "perf-profile:end", "\n".join(P) + "\n")
tmp = out_md + ".tmp"
with open(tmp, "w") as f:
    f.write(text)
os.replace(tmp, out_md)
print(section)
if P:
    print("\n".join(P))
PY
