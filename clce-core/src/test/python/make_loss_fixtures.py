#!/usr/bin/python3
# Regenerate (from the repository root, Debian python3-torch 1.13, about 10 s):
#   /usr/bin/python3 clce-core/src/test/python/make_loss_fixtures.py
"""Reference values of every loss of LOSSES.md, computed in PyTorch float64 with autograd.

Written from the text of shared/LOSSES.md (the "Losses, exactly" page), independently of the Java
code. Output: clce-core/src/test/resources/fixtures/losses/
    manifest.json                  input sets and cases (full configuration of each case)
    inputs/<set>.{z,y,o}.npy       z: float64 [M, d], y: int64 or int32 [M], o: float64 [M, C]
    expected/<case>.loss.npy       float64 scalar
    expected/<case>.grad_z.npy     float64 [M, d]  (absent for ce, which does not read z)
    expected/<case>.grad_o.npy     float64 [M, C]  (only for ce, clce, ce+supcon and ce+cl, which read o)
Seeded: the same torch/numpy versions regenerate the same bytes.

One choice LOSSES.md leaves open: H-SCL when an anchor has no negative. We take the weighted
negative mean as 0 there (the anchor's terms are then -log 1 = 0), like LACLN's W_i = 0.
"""
import json
import os
import shutil

import numpy as np
import torch

SEED = 20241128
EPS = 1e-12
OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "resources", "fixtures", "losses"))

DEFAULTS = {"tau": 0.5, "lambda": 0.9, "beta": 0.5, "aggregation": "log-of-mean", "detach_weights": False}
USES_Z = {"ce": False, "supcon": True, "hscl": True, "cl": True, "lacln": True, "clce": True,
          "ce+supcon": True, "ce+cl": True}
USES_O = {"ce": True, "supcon": False, "hscl": False, "cl": False, "lacln": False, "clce": True,
          "ce+supcon": True, "ce+cl": True}


# ----------------------------------------------------------------------------- the losses
def pieces(z, y, tau):
    """Normalised embeddings, similarities and the masks of LOSSES.md "Shared pieces"."""
    m_rows = z.shape[0]
    x = z / z.norm(dim=1, keepdim=True).clamp_min(EPS)       # x_i = z_i / max(||z_i||, eps)
    s = x @ x.t() / tau                                       # s_ij
    eye = torch.eye(m_rows, dtype=torch.bool, device=z.device)
    same = y[:, None] == y[None, :]
    pos = same & ~eye                                         # P(i)
    neg = ~same                                               # N(i)
    off = ~eye
    m = torch.where(off, s, torch.full_like(s, -torch.inf)).max(dim=1, keepdim=True).values.detach()
    shifted = s - m                                           # s_ij - m_i (m_i constant)
    e = torch.where(off, torch.exp(torch.where(off, shifted, torch.zeros_like(s))), torch.zeros_like(s))
    return shifted, e, pos, neg


def masked_mean(values, mask, like):
    """Mean of values[mask]; 0 with a zero gradient when the mask is empty."""
    if mask.any():
        return values[mask].mean()
    return (like * 0).sum()


def lacln(z, y, tau, aggregation, detach_weights, hard_negatives=True):
    shifted, e, pos, neg = pieces(z, y, tau)
    posf, negf = pos.to(z.dtype), neg.to(z.dtype)
    n_pos = posf.sum(1)
    n_neg = negf.sum(1)
    s_plus = (e * posf).sum(1)
    if hard_negatives:
        neg_sum = (e * negf).sum(1)
        safe_mean = torch.where(n_neg > 0, neg_sum / n_neg.clamp_min(1), torch.ones_like(neg_sum))
        w = e / safe_mean[:, None]                            # w_ik = e_ik / mean_k' e_ik'
        if detach_weights:
            w = w.detach()
        big_w = (w * e * negf).sum(1)                         # 0 when N(i) is empty
    else:
        big_w = (e * negf).sum(1)                             # CL: w_ik = 1
    valid = n_pos >= 1
    safe_pos = torch.where(valid, s_plus, torch.ones_like(s_plus))
    denom = safe_pos + big_w
    if aggregation == "log-of-mean":
        l = -torch.log(safe_pos / (n_pos.clamp_min(1) * denom))
    elif aggregation == "mean-of-log":
        log_e = torch.where(pos, shifted, torch.zeros_like(shifted))  # log e_ip = s_ip - m_i
        l = -((log_e - torch.log(denom)[:, None]) * posf).sum(1) / n_pos.clamp_min(1)
    else:
        raise ValueError(aggregation)
    return masked_mean(l, valid, z)


def supcon(z, y, tau):
    shifted, e, pos, _ = pieces(z, y, tau)
    posf = pos.to(z.dtype)
    n_pos = posf.sum(1)
    log_all = torch.log(e.sum(1))                             # sum over j != i
    log_e = torch.where(pos, shifted, torch.zeros_like(shifted))
    l = -((log_e - log_all[:, None]) * posf).sum(1) / n_pos.clamp_min(1)
    return masked_mean(l, n_pos >= 1, z)


def hscl(z, y, tau, beta):
    shifted, e, pos, neg = pieces(z, y, tau)
    m_rows = z.shape[0]
    negf = neg.to(z.dtype)
    imp = torch.where(neg, e, torch.ones_like(e)) ** beta * negf      # imp_ik = e_ik^beta on N(i)
    imp_sum = imp.sum(1)
    has_neg = imp_sum > 0
    wmean = torch.where(has_neg, (imp * e).sum(1) / torch.where(has_neg, imp_sum, torch.ones_like(imp_sum)),
                        torch.zeros_like(imp_sum))
    e_pos = torch.where(pos, e, torch.ones_like(e))
    l = -torch.log(e_pos / (e_pos + (m_rows - 2) * wmean[:, None]))   # l_ip
    return masked_mean(l, pos, z)


def ce(o, y):
    return (torch.logsumexp(o, dim=1) - o.gather(1, y[:, None]).squeeze(1)).mean()


def loss(cfg, z, y, o):
    k = cfg["loss"]
    if k == "ce":
        return ce(o, y)
    if k == "supcon":
        return supcon(z, y, cfg["tau"])
    if k == "hscl":
        return hscl(z, y, cfg["tau"], cfg["beta"])
    if k == "cl":
        return lacln(z, y, cfg["tau"], cfg["aggregation"], False, hard_negatives=False)
    if k == "lacln":
        return lacln(z, y, cfg["tau"], cfg["aggregation"], cfg["detach_weights"])
    if k == "clce":
        lam = cfg["lambda"]
        return (1 - lam) * ce(o, y) + lam * lacln(z, y, cfg["tau"], cfg["aggregation"], cfg["detach_weights"])
    # LOSSES.md "Combinations" (clce's addition): the paper's CE+SupCon baseline and CE+CL ablation.
    if k == "ce+supcon":
        lam = cfg["lambda"]
        return (1 - lam) * ce(o, y) + lam * supcon(z, y, cfg["tau"])
    if k == "ce+cl":
        lam = cfg["lambda"]
        return (1 - lam) * ce(o, y) + lam * lacln(z, y, cfg["tau"], cfg["aggregation"], False, hard_negatives=False)
    raise ValueError(k)


# ----------------------------------------------------------------------------- plain loops
def loop_value(c, z, y, o):
    """The loss value by plain Python loops over the formulas of LOSSES.md (a check of the above)."""
    import math
    m_rows = len(z)
    k = c["loss"]
    combined = k in ("clce", "ce+supcon", "ce+cl")
    if k in ("ce+supcon", "ce+cl"):
        k = k[3:]                                             # the contrastive term: supcon or cl

    def ce_loop():
        tot = 0.0
        for i in range(m_rows):
            mx = max(o[i])
            lse = mx + math.log(sum(math.exp(v - mx) for v in o[i]))
            tot += lse - o[i][y[i]]
        return tot / m_rows

    if k == "ce":
        return ce_loop()
    x = []
    for i in range(m_rows):
        n = max(math.sqrt(sum(v * v for v in z[i])), EPS)
        x.append([v / n for v in z[i]])
    s = [[sum(a * b for a, b in zip(x[i], x[j])) / c["tau"] for j in range(m_rows)] for i in range(m_rows)]
    terms = []
    for i in range(m_rows):
        mi = max(s[i][j] for j in range(m_rows) if j != i)
        e = {j: math.exp(s[i][j] - mi) for j in range(m_rows) if j != i}
        p = [j for j in e if y[j] == y[i]]
        nn = [j for j in e if y[j] != y[i]]
        if not p:
            continue
        sp = sum(e[j] for j in p)
        if k == "supcon":
            tot = sum(e.values())
            terms.append(-sum(math.log(e[j] / tot) for j in p) / len(p))
        elif k == "hscl":
            imp = {j: e[j] ** c["beta"] for j in nn}
            wmean = sum(imp[j] * e[j] for j in nn) / sum(imp.values()) if nn else 0.0
            terms += [-math.log(e[j] / (e[j] + (m_rows - 2) * wmean)) for j in p]
        else:
            if k == "cl":
                w = sum(e[j] for j in nn)
            else:
                w = len(nn) * sum(e[j] ** 2 for j in nn) / sum(e[j] for j in nn) if nn else 0.0
            if c["aggregation"] == "log-of-mean":
                terms.append(-math.log(sp / (len(p) * (sp + w))))
            else:
                terms.append(-sum(math.log(e[j] / (sp + w)) for j in p) / len(p))
    contrastive = sum(terms) / len(terms) if terms else 0.0
    if combined:
        return (1 - c["lambda"]) * ce_loop() + c["lambda"] * contrastive
    return contrastive


# ----------------------------------------------------------------------------- inputs
def views_labels(rng, n_images, n_classes, views=2):
    """Labels of V views x N images: rows v*N + i are view v of image i."""
    img = rng.integers(0, n_classes, size=n_images)
    return np.tile(img, views)


def random_z(rng, m_rows, d):
    z = rng.standard_normal((m_rows, d))
    return z * rng.uniform(0.3, 3.0, size=(m_rows, 1))       # raw rows of unequal norm


def input_sets(rng):
    sets = {}

    def add(name, z, y, n_classes, description, label_dtype="<i8"):
        o = rng.standard_normal((z.shape[0], n_classes)) * 2.0
        sets[name] = dict(z=z, y=y.astype(label_dtype), o=o, C=n_classes, description=description)

    add("rand_m32_d16", random_z(rng, 32, 16), views_labels(rng, 16, 5), 5,
        "2 views x 16 images, 5 classes")
    add("m2_one_image", random_z(rng, 2, 3), np.array([1, 1]), 3,
        "M=2: the two views of one image (one class only, no negatives)")
    add("m2_two_classes", random_z(rng, 2, 3), np.array([0, 2]), 3,
        "M=2, two labels: no anchor has a positive", label_dtype="<i4")
    add("m4_d3", random_z(rng, 4, 3), np.array([0, 1, 0, 1]), 2, "2 views x 2 images of 2 classes")
    add("m7_d5", random_z(rng, 7, 5), np.array([2, 0, 2, 1, 0, 2, 3]), 4,
        "M=7, not a views layout; label 1 and 3 are singletons", label_dtype="<i4")
    add("m64_d32", random_z(rng, 64, 32), views_labels(rng, 32, 10), 10, "2 views x 32 images, 10 classes")
    add("m128_d16", random_z(rng, 128, 16), views_labels(rng, 64, 10), 10, "2 views x 64 images, 10 classes")
    add("m512_d8", random_z(rng, 512, 8), views_labels(rng, 256, 20), 20, "2 views x 256 images, 20 classes")
    add("singletons", random_z(rng, 12, 6), np.array([0, 0, 1, 2, 2, 3, 4, 4, 4, 5, 6, 6]), 8,
        "labels 1, 3 and 5 appear once (anchors without positives)")
    add("all_singletons", random_z(rng, 6, 4), np.arange(6), 6,
        "every label once: no anchor has a positive (contrastive losses are 0)", label_dtype="<i4")
    add("one_class", random_z(rng, 10, 5), np.full(10, 2), 4, "one class only: no negatives")
    z = random_z(rng, 16, 6)
    y = views_labels(rng, 8, 3)
    z[5] = z[2]          # an exact duplicate row (its label may differ)
    z[9] = z[1]          # view 2 of image 1 equals view 1 (same label)
    z[14] = 2.5 * z[3]   # same direction after normalisation
    add("duplicates", z, y, 3, "rows 2=5, 1=9 exact duplicates, row 14 = 2.5 x row 3")
    z = random_z(rng, 12, 5)
    z[3] = 0.0
    add("zero_row", z, views_labels(rng, 6, 3), 3, "row 3 is all zeros (eps keeps it finite)")
    return sets


# ----------------------------------------------------------------------------- cases
def cfg(loss_name, **kw):
    c = dict(DEFAULTS)
    c["loss"] = loss_name
    c.update(kw)
    return c


def standard_configs(tau):
    return [
        cfg("ce", tau=tau),
        cfg("supcon", tau=tau),
        cfg("hscl", tau=tau),
        cfg("cl", tau=tau),
        cfg("lacln", tau=tau),
        cfg("lacln", tau=tau, aggregation="mean-of-log"),
        cfg("lacln", tau=tau, detach_weights=True),
        cfg("clce", tau=tau),
    ]


def size_configs(tau):
    """The losses whose arithmetic changes with the batch size (CE, CL and detach are covered elsewhere)."""
    return [
        cfg("supcon", tau=tau),
        cfg("hscl", tau=tau),
        cfg("lacln", tau=tau),
        cfg("lacln", tau=tau, aggregation="mean-of-log"),
        cfg("clce", tau=tau),
    ]


def case_plan():
    plan = [("rand_m32_d16", c) for c in standard_configs(0.5)]
    for tau in (0.05, 0.1, 1.0):
        # CE does not read tau; detach is covered at 0.05 and 0.5
        plan += [("rand_m32_d16", c) for c in standard_configs(tau)
                 if c["loss"] != "ce" and (not c["detach_weights"] or tau == 0.05)]
    extras = [
        cfg("cl", aggregation="mean-of-log"),
        cfg("lacln", aggregation="mean-of-log", detach_weights=True),
        cfg("hscl", beta=0.0),
        cfg("hscl", beta=2.0),
        cfg("clce", **{"lambda": 0.0}),
        cfg("clce", **{"lambda": 0.5}),
        cfg("clce", **{"lambda": 1.0}),
        cfg("clce", aggregation="mean-of-log"),
        cfg("clce", detach_weights=True, tau=0.1),
    ]
    plan += [("rand_m32_d16", c) for c in extras]
    # edge cases: every loss
    for name in ("m2_one_image", "m2_two_classes", "singletons", "all_singletons", "one_class", "duplicates",
                 "zero_row"):
        plan += [(name, c) for c in standard_configs(0.5)]
    # sizes
    for name in ("m4_d3", "m7_d5", "m64_d32", "m128_d16", "m512_d8"):
        plan += [(name, c) for c in size_configs(0.5)]
    # small temperature with large batches and the edge cases where it bites
    for name in ("m512_d8", "zero_row", "duplicates"):
        plan += [(name, c) for c in size_configs(0.05)]
    # the combinations (clce's addition), appended last so that the cases above keep their bytes
    combos = [
        cfg("ce+supcon"),
        cfg("ce+supcon", tau=0.1, **{"lambda": 0.5}),
        cfg("ce+cl"),
        cfg("ce+cl", tau=0.1, aggregation="mean-of-log", **{"lambda": 0.5}),
    ]
    plan += [("rand_m32_d16", c) for c in combos]
    plan += [("singletons", c) for c in (cfg("ce+supcon"), cfg("ce+cl"))]
    return plan


def case_id(set_name, c):
    parts = [set_name, c["loss"].replace("+", "_"), "tau" + fmt(c["tau"])]
    if c["loss"] in ("clce", "ce+supcon", "ce+cl"):
        parts.append("lam" + fmt(c["lambda"]))
    if c["loss"] == "hscl":
        parts.append("beta" + fmt(c["beta"]))
    if c["loss"] in ("cl", "lacln", "clce", "ce+cl"):
        parts.append("mol" if c["aggregation"] == "mean-of-log" else "lom")
    if c["loss"] in ("lacln", "clce") and c["detach_weights"]:
        parts.append("detach")
    return "_".join(parts)


def fmt(v):
    return repr(float(v)).replace(".", "p")


def save(path, arr):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, np.ascontiguousarray(arr))


def main():
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(SEED)
    sets = input_sets(rng)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    manifest = {
        "generator": "clce-core/src/test/python/make_loss_fixtures.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "seed": SEED,
        "inputs": {},
        "cases": [],
    }
    for name, s in sets.items():
        files = {}
        for key in ("z", "y", "o"):
            rel = f"inputs/{name}.{key}.npy"
            save(os.path.join(OUT, rel), s[key])
            files[key] = rel
        manifest["inputs"][name] = dict(files, M=int(s["z"].shape[0]), d=int(s["z"].shape[1]), C=int(s["C"]),
                                        label_dtype=s["y"].dtype.str, description=s["description"])
    seen = set()
    for set_name, c in case_plan():
        cid = case_id(set_name, c)
        assert cid not in seen, cid
        seen.add(cid)
        s = sets[set_name]
        z = torch.tensor(s["z"], requires_grad=True)
        o = torch.tensor(s["o"], requires_grad=True)
        y = torch.tensor(s["y"].astype(np.int64))
        value = loss(c, z, y, o)
        value.backward()
        assert torch.isfinite(value), cid
        if s["z"].shape[0] <= 128:
            ref = loop_value(c, s["z"].tolist(), s["y"].tolist(), s["o"].tolist())
            assert abs(ref - value.item()) <= 1e-11 * max(1.0, abs(ref)), (cid, ref, value.item())
        expected = {"loss": f"expected/{cid}.loss.npy", "grad_embeddings": None, "grad_logits": None}
        save(os.path.join(OUT, expected["loss"]), np.array(value.item(), dtype="<f8"))
        if USES_Z[c["loss"]]:
            assert torch.isfinite(z.grad).all(), cid
            expected["grad_embeddings"] = f"expected/{cid}.grad_z.npy"
            save(os.path.join(OUT, expected["grad_embeddings"]), z.grad.numpy())
        if USES_O[c["loss"]]:
            assert torch.isfinite(o.grad).all(), cid
            expected["grad_logits"] = f"expected/{cid}.grad_o.npy"
            save(os.path.join(OUT, expected["grad_logits"]), o.grad.numpy())
        manifest["cases"].append({"id": cid, "inputs": set_name, "config": c, "loss": value.item(),
                                  "expected": expected})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"{len(manifest['cases'])} cases, {len(sets)} input sets -> {OUT}")


if __name__ == "__main__":
    main()
