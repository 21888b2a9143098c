#!/usr/bin/python3
"""Side-by-side profile of one training step: `./clce perf --profile` (SameDiff ops) next to
`scripts/perf_torch.py --profile` (torch.profiler self CPU time), grouped into the same categories,
and oneDNN's primitives per step from two DNNL_VERBOSE runs. Called by scripts/profile-side-by-side.sh,
which documents the arguments; prints a markdown report.

  profile_side_by_side.py JAVA_JSON TORCH_JSON [DNNL_LOG_SHORT DNNL_LOG_LONG EXTRA_STEPS]

The DNNL logs are ./clce perf runs with DNNL_VERBOSE=1 that differ only in their number of timed
steps (EXTRA_STEPS more in the long one): the difference of the two is what EXTRA_STEPS steps ran, so
the warm-up, graph building and the loss evaluations before and after cancel out.
"""
import json
import sys
from collections import defaultdict

OTHER = "other ops (loss, head, pooling, additions, casts)"
# (category, SameDiff op types, PyTorch op names); an op in neither list is OTHER
CATEGORIES = [
    ("convolution forward", {"conv2d"}, {"aten::mkldnn_convolution", "aten::convolution", "aten::_convolution",
                                         "aten::conv2d", "aten::thnn_conv2d", "aten::_slow_conv2d_forward"}),
    ("convolution backward", {"conv2d_bp"}, {"aten::convolution_backward", "aten::mkldnn_convolution_backward"}),
    ("BatchNorm forward (statistics + normalise)", {"clce_batch_norm", "moments", "clce_bitcast"},
     {"aten::native_batch_norm", "aten::batch_norm", "aten::_batch_norm_impl_index"}),
    ("BatchNorm backward", {"clce_batch_norm_bp"}, {"aten::native_batch_norm_backward"}),
    ("ReLU forward + backward", {"clce_relu", "relu_bp"}, {"aten::relu_", "aten::clamp_min_", "aten::threshold_backward",
                                                           "aten::relu", "aten::clamp_min"}),
    ("optimizer (Adam; SameDiff applies it outside ops)", set(),
     {"Optimizer.step#Adam.step", "aten::addcdiv_", "aten::addcmul_", "aten::sqrt", "aten::lerp_"}),
]


def category(op, side):
    for name, java, torch in CATEGORIES:
        if op in (java if side == "java" else torch):
            return name
    return OTHER


def grouped(rows, side):
    g = defaultdict(lambda: [0.0, 0.0])
    for r in rows:
        c = category(r["op"], side)
        g[c][0] += r["s_per_step"]
        g[c][1] += r["count_per_step"]
    return g


def dnnl(log):
    """oneDNN primitive executions in a DNNL_VERBOSE log: {(kind, propagation): [count, ms]}."""
    out = defaultdict(lambda: [0, 0.0])
    with open(log, errors="replace") as f:
        for line in f:
            if not line.startswith("dnnl_verbose,exec,"):
                continue
            p = line.rstrip("\n").split(",")
            key = (p[3], p[5] if p[5] != "undef" else "")
            out[key][0] += 1
            out[key][1] += float(p[-1])
    return out


def main():
    a = sys.argv[1:]
    if len(a) not in (2, 5):
        raise SystemExit(__doc__)
    with open(a[0]) as f:
        java = json.load(f)
    with open(a[1]) as f:
        torch = json.load(f)
    for name, d in (("JAVA_JSON", java), ("TORCH_JSON", torch)):
        if "profile" not in d:
            raise SystemExit(f"{name}: {a[0] if d is java else a[1]} has no profile (run with --profile N)")
    jg, tg = grouped(java["profile"], "java"), grouped(torch["profile"], "torch")
    j_ops, t_ops = java["profile_op_total_s"], sum(r["s_per_step"] for r in torch["profile"])
    print("| per step | SameDiff (`./clce perf --profile`) | PyTorch (`torch.profiler`, self CPU) | ratio |")
    print("|---|---:|---:|---:|")
    for name in [c[0] for c in CATEGORIES] + [OTHER]:
        js, jc = jg.get(name, [0.0, 0.0])
        ts, tc = tg.get(name, [0.0, 0.0])
        ratio = f"{js / ts:.1f}x" if ts > 0 and js > 0 else "-"
        print(f"| {name} | {1e3 * js:.1f} ms ({jc:.0f} ops) | {1e3 * ts:.1f} ms ({tc:.0f} ops) | {ratio} |")
    print(f"| all ops | {1e3 * j_ops:.1f} ms ({java['profile_op_count']:.0f} ops) | {1e3 * t_ops:.1f} ms "
          f"({sum(r['count_per_step'] for r in torch['profile']):.0f} ops) | {j_ops / t_ops:.1f}x |")
    print(f"| outside ops (SameDiff's scheduling and allocation, Adam, listeners), median step minus ops | "
          f"{1e3 * (java['median_step_s'] - j_ops):.1f} ms | - | |")
    print(f"| **step, median** | **{1e3 * java['median_step_s']:.1f} ms** | "
          f"**{1e3 * torch['median_step_s']:.1f} ms** | **{java['median_step_s'] / torch['median_step_s']:.1f}x** |")
    print()
    print("Each side's step median is from its timed steps; SameDiff's op times are from the same steps "
          "(the listener runs throughout), PyTorch's from as many steps again under the profiler, which "
          "adds its own cost per op.")
    if len(a) == 5:
        short, long_, extra = dnnl(a[2]), dnnl(a[3]), int(a[4])
        print()
        print("| oneDNN primitive, per SameDiff step (DNNL_VERBOSE) | executions | ms |")
        print("|---|---:|---:|")
        total = 0.0
        for key in sorted(long_, key=lambda k: -(long_[k][1] - short.get(k, [0, 0.0])[1])):
            n = (long_[key][0] - short.get(key, [0, 0.0])[0]) / extra
            ms = (long_[key][1] - short.get(key, [0, 0.0])[1]) / extra
            total += ms
            print(f"| {key[0]} {key[1]} | {n:.0f} | {ms:.1f} |")
        print(f"| all primitives | | {total:.1f} |")
        print()
        print("(DNNL_VERBOSE times each primitive inside oneDNN; the logging itself slows the step.)")


if __name__ == "__main__":
    main()
