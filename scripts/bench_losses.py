#!/usr/bin/python3
"""PyTorch side of the loss benchmark: forward + backward time of each loss in float32.

Same configurations as `./clce loss-bench` (two views of M/2 images, 10 classes, random normal
embeddings and logits): M in {128, 256}, d in {128, 768}, warm-up runs, then the median of N timed
runs of `loss(z, y, o).backward()`. The losses are the PyTorch implementations of LOSSES.md in
clce-core/src/test/python/make_loss_fixtures.py (the ones the fixtures come from).
Run by scripts/bench-losses.sh; alone: /usr/bin/python3 scripts/bench_losses.py --json
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "clce-core", "src", "test", "python"))
import make_loss_fixtures as ref  # noqa: E402


def loaded_blas():
    """Shared libraries with 'blas' or 'lapack' in their path that this process has mapped."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "blas" in path.lower() or "lapack" in path.lower():
                libs.add(os.path.realpath(path))
    return sorted(libs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--m", default="128,256")
    ap.add_argument("--d", default="128,768")
    ap.add_argument("--losses", default="ce,supcon,hscl,cl,lacln,clce")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    # A float32 sgemm large enough to reach the BLAS, so that its library is mapped before we look.
    _ = torch.randn(256, 256) @ torch.randn(256, 256)
    out = {
        "tool": "scripts/bench_losses.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "torch_num_threads": torch.get_num_threads(),
        "blas_libraries_loaded": loaded_blas(),
        "torch_config": torch.__config__.show(),
        "dtype": "float",
        "warmup": args.warmup,
        "reps": args.reps,
        "results": [],
    }
    for m in [int(v) for v in args.m.split(",")]:
        for d in [int(v) for v in args.d.split(",")]:
            img = rng.integers(0, args.classes, size=m // 2)
            y = torch.tensor(np.tile(img, 2), dtype=torch.int64)
            z0 = torch.tensor(rng.standard_normal((m, d)), dtype=torch.float32)
            o0 = torch.tensor(rng.standard_normal((m, args.classes)), dtype=torch.float32)
            for name in args.losses.split(","):
                cfg = dict(ref.DEFAULTS, loss=name)
                z = z0.clone().requires_grad_(ref.USES_Z[name])
                o = o0.clone().requires_grad_(ref.USES_O[name])
                times = []
                for i in range(args.warmup + args.reps):
                    z.grad = None
                    o.grad = None
                    t0 = time.perf_counter()
                    ref.loss(cfg, z, y, o).backward()
                    t1 = time.perf_counter()
                    if i >= args.warmup:
                        times.append((t1 - t0) * 1e3)
                row = {"loss": name, "form": "pytorch", "M": m, "d": d, "median_ms": statistics.median(times),
                       "min_ms": min(times), "max_ms": max(times)}
                out["results"].append(row)
                if not args.json:
                    print(f"{name:7s} {m:5d} {d:5d} {row['median_ms']:10.3f} {row['min_ms']:10.3f} {row['max_ms']:10.3f}",
                          flush=True)
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
