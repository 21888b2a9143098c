#!/usr/bin/python3
"""PyTorch side of `./clce perf`: wall time of training steps, or of the loss alone.

Same configurations and the same model definitions as the Java side (torchvision ResNet and
VisionTransformer, whose state-dict names and shapes clce-models reproduces):
  - the batch is B random normal images, rows i and i + B/2 share a label (two views of B/2 images),
    labels drawn from 10 classes;
  - the encoder gives the pooled embedding (ResNet: global average pool; ViT: class token after the
    final LayerNorm) and the logits; contrastive losses read the embedding (or the projection head),
    CE the logits; the losses are the LOSSES.md implementations of
    clce-core/src/test/python/make_loss_fixtures.py;
  - one step: zero_grad, forward, loss, backward, Adam (lr 1e-3, no weight decay) step; the model is in
    train mode, so BatchNorm uses batch statistics and updates its running statistics;
  - warm-up steps, then the timed steps; median step time; peak RSS is VmHWM of this process.
Loss alone (--loss-only): z [M, d] and logits [M, 10] random normal, loss(...).backward().

torch.set_num_threads(--threads, default 2). Denormal flushing is off unless --flush-denormal
(torch.set_flush_denormal); ND4J has no such switch, so the comparison runs both sides without it.
Prints one JSON object with --json (median_step_s, peak_rss_mb, ...).

  /usr/bin/python3 scripts/perf_torch.py --arch resnet101 --batch 2 --steps 5 --loss clce --json
  /usr/bin/python3 scripts/perf_torch.py --loss-only --loss clce --m 256 --d 768 --json
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "clce-core", "src", "test", "python"))
import make_loss_fixtures as ref  # noqa: E402

LABEL_CLASSES = 10
LEARNING_RATE = 1e-3
RESNETS = {"resnet18": torchvision.models.resnet18, "resnet34": torchvision.models.resnet34,
           "resnet50": torchvision.models.resnet50, "resnet101": torchvision.models.resnet101,
           "resnet152": torchvision.models.resnet152}
# name: (patch, depth, width, heads, mlp) as in clce-models' Models registry
VITS = {"vit_ti_16": (16, 12, 192, 3, 768), "vit_s_16": (16, 12, 384, 6, 1536), "vit_b_16": (16, 12, 768, 12, 3072),
        "vit_b_32": (32, 12, 768, 12, 3072), "vit_l_16": (16, 24, 1024, 16, 4096)}


def vm_kb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return -1


def loaded_blas():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "blas" in path.lower() or "lapack" in path.lower():
                libs.add(os.path.realpath(path))
    return sorted(libs)


def resnet(arch, classes, width, max_blocks):
    """torchvision's ResNet, with clce-models' width multiplier (stage widths round(64 w 2^i), at
    least 1) and cap on blocks per stage (0 = none)."""
    m = RESNETS[arch](num_classes=classes)
    if width == 1.0 and not max_blocks:
        return m
    block = type(m.layer1[0])
    layers = [len(m.layer1), len(m.layer2), len(m.layer3), len(m.layer4)]
    if max_blocks:
        layers = [min(n, max_blocks) for n in layers]
    planes = [max(1, int(math.floor(64 * width * 2 ** i + 0.5))) for i in range(4)]
    m = torchvision.models.resnet.ResNet(block, layers, num_classes=classes)
    m.inplanes = planes[0]
    m.conv1 = nn.Conv2d(3, planes[0], 7, 2, 3, bias=False)
    m.bn1 = nn.BatchNorm2d(planes[0])
    m.layer1 = m._make_layer(block, planes[0], layers[0])
    m.layer2 = m._make_layer(block, planes[1], layers[1], stride=2)
    m.layer3 = m._make_layer(block, planes[2], layers[2], stride=2)
    m.layer4 = m._make_layer(block, planes[3], layers[3], stride=2)
    m.fc = nn.Linear(planes[3] * block.expansion, classes)
    return m


class Encoder(nn.Module):
    """A torchvision model returning (embedding, logits), with the optional projection head."""

    def __init__(self, arch, classes, image_size, channels, stem, projection_dim, width=1.0, max_blocks=0):
        super().__init__()
        self.arch = arch
        if arch in RESNETS:
            m = resnet(arch, classes, width, max_blocks)
            if channels != 3 or stem == "small":
                k, s, p = (3, 1, 1) if stem == "small" else (7, 2, 3)
                m.conv1 = nn.Conv2d(channels, m.conv1.out_channels, k, s, p, bias=False)
            if stem == "small":
                m.maxpool = nn.Identity()
            feat = m.fc.in_features
        elif arch in VITS:
            if stem != "imagenet":
                raise SystemExit("stem: ViTs take only imagenet, got " + stem)
            patch, depth, width, heads, mlp = VITS[arch]
            m = torchvision.models.vision_transformer.VisionTransformer(
                image_size=image_size, patch_size=patch, num_layers=depth, num_heads=heads, hidden_dim=width,
                mlp_dim=mlp, num_classes=classes)
            if channels != 3:
                m.conv_proj = nn.Conv2d(channels, width, patch, patch)
            feat = width
        else:
            raise SystemExit("arch: unknown " + arch)
        self.m = m
        self.projection = None
        if projection_dim:
            self.projection = nn.Sequential(nn.Linear(feat, feat), nn.ReLU(), nn.Linear(feat, projection_dim))

    def forward(self, x):
        m = self.m
        if self.arch in RESNETS:
            x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
            x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
            emb = torch.flatten(m.avgpool(x), 1)
            logits = m.fc(emb)
        else:
            x = m._process_input(x)
            x = torch.cat([m.class_token.expand(x.shape[0], -1, -1), x], dim=1)
            emb = m.encoder(x)[:, 0]
            logits = m.heads(emb)
        z = self.projection(emb) if self.projection is not None else emb
        return z, logits


def profile(step, steps, top):
    """Self CPU time per op type over `steps` steps (torch.profiler, CPU only), the `top` largest.

    Self time excludes the time of ops an op calls, so the rows add up to the profiled op time (like
    ./clce perf --profile, which times each SameDiff op between its pre- and post-execution hooks);
    aten ops that only dispatch to another (e.g. aten::conv2d -> aten::mkldnn_convolution) show little
    self time and the kernel that does the work shows it."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile
    with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    rows = [(e.key, e.self_cpu_time_total, e.count) for e in prof.key_averages()]
    total = sum(r[1] for r in rows) or 1
    rows.sort(key=lambda r: -r[1])
    return [{"op": k, "s_per_step": t / 1e6 / steps, "share": t / total, "count_per_step": c / steps,
             "mean_us": t / c if c else 0.0} for k, t, c in rows[:top]]


def two_view_labels(gen, n):
    half = torch.randint(0, LABEL_CLASSES, (n // 2,), generator=gen)
    return torch.cat([half, half]).to(torch.int64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch")
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--image-size", type=int, default=224)
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--stem", default="imagenet", choices=["imagenet", "small"])
    ap.add_argument("--width", type=float, default=1.0)
    ap.add_argument("--max-blocks", type=int, default=0)
    ap.add_argument("--projection-head", action="store_true")
    ap.add_argument("--projection-dim", type=int, default=128)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--loss", default="clce", choices=list(ref.USES_Z))
    ap.add_argument("--loss-only", action="store_true")
    ap.add_argument("--m", type=int, default=256)
    ap.add_argument("--d", type=int, default=768)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--flush-denormal", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", type=int, default=0,
                    help="after the timed steps, profile --steps more with torch.profiler and list the N op types "
                         "with the most self CPU time per step (as ./clce perf --profile N)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.profile < 0:
        raise SystemExit("profile: must be >= 0, got %d" % a.profile)
    if a.steps < 1 or a.warmup < 0:
        raise SystemExit("steps: must be >= 1 and warmup >= 0")

    torch.set_num_threads(a.threads)
    flushing = torch.set_flush_denormal(a.flush_denormal) and a.flush_denormal
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    cfg = dict(ref.DEFAULTS, loss=a.loss)
    out = {"tool": "scripts/perf_torch.py", "side": "pytorch", "loss": a.loss, "torch": torch.__version__,
           "torchvision": torchvision.__version__, "torch_num_threads": torch.get_num_threads(),
           "flush_denormal": bool(flushing), "warmup": a.warmup, "steps": a.steps}
    _ = torch.randn(256, 256) @ torch.randn(256, 256)   # map the BLAS before looking
    out["blas_libraries_loaded"] = loaded_blas()

    if a.loss_only:
        if a.m < 2 or a.m % 2:
            raise SystemExit("m: must be even and >= 2")
        z = torch.randn(a.m, a.d, generator=gen).requires_grad_(ref.USES_Z[a.loss])
        o = torch.randn(a.m, LABEL_CLASSES, generator=gen).requires_grad_(ref.USES_O[a.loss])
        y = two_view_labels(gen, a.m)

        def step():
            z.grad = None
            o.grad = None
            ref.loss(cfg, z, y, o).backward()
        out.update(mode="loss-only", form="pytorch", M=a.m, d=a.d)
        per_step = a.m
    else:
        if a.arch is None:
            raise SystemExit("arch: required unless --loss-only")
        if a.batch < 2 or a.batch % 2:
            raise SystemExit("batch: must be even and >= 2")
        if not a.width > 0 or a.max_blocks < 0:
            raise SystemExit("width: must be > 0 and max-blocks >= 0, got %s and %s" % (a.width, a.max_blocks))
        model = Encoder(a.arch, a.classes, a.image_size, a.channels, a.stem,
                        a.projection_dim if a.projection_head else 0, a.width, a.max_blocks)
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        x = torch.randn(a.batch, a.channels, a.image_size, a.image_size, generator=gen)
        y = two_view_labels(gen, a.batch)

        def step():
            opt.zero_grad(set_to_none=True)
            z, logits = model(x)
            ref.loss(cfg, z, y, logits).backward()
            opt.step()
        out.update(mode="train", arch=a.arch, image_size=a.image_size, stem=a.stem, classes=a.classes, batch=a.batch,
                   trainable_parameters=sum(p.numel() for p in model.parameters() if p.requires_grad))
        per_step = a.batch

    times = []
    first = None
    cpu0 = None
    for i in range(a.warmup + a.steps):
        if i == a.warmup:
            cpu0 = time.process_time()
        t0 = time.perf_counter()
        step()
        t = time.perf_counter() - t0
        if first is None:
            first = t
        if i >= a.warmup:
            times.append(t)
    cpu_per_step = (time.process_time() - cpu0) / a.steps
    half = max(1, len(times) // 2)
    med = statistics.median(times)
    out.update(first_step_s=first, median_step_s=med, min_step_s=min(times), max_step_s=max(times),
               early_median_s=statistics.median(times[:half]), late_median_s=statistics.median(times[len(times) // 2:]),
               images_per_s=per_step / med, cpu_s_per_step=cpu_per_step, peak_rss_mb=vm_kb("VmHWM:") / 1024.0, step_s=times)
    if a.profile:
        out["profile"] = profile(step, a.steps, a.profile)
    if not a.loss_only:
        with torch.no_grad():
            z, logits = model(x)
            out["loss_after"] = float(ref.loss(cfg, z, y, logits))
    if a.json:
        print(json.dumps(out))
    else:
        for k in ("mode", "arch", "batch", "loss", "median_step_s", "min_step_s", "max_step_s", "images_per_s",
                  "cpu_s_per_step", "peak_rss_mb", "flush_denormal"):
            if k in out:
                print(f"{k:16s} {out[k]}")
        if a.profile:
            print(f"{'op type':40s} {'s/step':>8s} {'share':>7s} {'count':>6s} {'mean us':>9s}")
            for r in out["profile"]:
                print(f"{r['op'][:40]:40s} {r['s_per_step']:8.4f} {100 * r['share']:6.1f}% {r['count_per_step']:6.1f} "
                      f"{r['mean_us']:9.1f}")


if __name__ == "__main__":
    main()
