#!/usr/bin/python3
"""PyTorch reference for BatchNorm in training mode: output and gradients, float64.

Run from anywhere (Debian python3-torch 1.13, numpy; about a second):

    /usr/bin/python3 clce-models/src/test/python/make_batchnorm_fixtures.py

Writes clce-models/src/test/resources/fixtures/batchnorm/<case>.{x,gamma,beta,g,y,dx,dgamma,dbeta}.npy
and manifest.json. For each case, x [N, C, H, W], gamma and beta [C] and an upstream gradient g
(same shape as x) are random (seeded); y = torch.nn.functional.batch_norm(x, None, None, gamma, beta,
training=True, eps=1e-5) (batch statistics, biased variance, as torch.nn.BatchNorm2d in train mode)
and dx, dgamma, dbeta are the autograd gradients of sum(y * g): the exact training-mode gradient,
including the paths through the batch mean and variance. The cases cover 98 values per channel
(where a probe saw ND4J's batchnorm_bp differ by 1e-3), a few values per channel with a
near-constant channel, and a larger tensor.
"""
import json
import os

import numpy as np
import torch

SEED = 20261128
EPS = 1e-5
OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "resources", "fixtures", "batchnorm"))
CASES = {
    # name: (shape, per-channel scale of x, per-channel offset of x)
    "n98": ((2, 3, 7, 7), [1.0, 3.0, 0.5], [0.0, 2.0, -1.0]),
    "n18_small_var": ((2, 4, 3, 3), [1.0, 1e-2, 10.0, 0.3], [0.5, 5.0, 0.0, -2.0]),
    "n2048": ((8, 2, 16, 16), [1.0, 2.0], [0.0, 0.3]),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(SEED)
    manifest = {"eps": EPS, "cases": {}}
    for name, (shape, scale, offset) in CASES.items():
        c = shape[1]
        x = torch.randn(shape, generator=gen, dtype=torch.float64)
        x = x * torch.tensor(scale, dtype=torch.float64)[None, :, None, None] \
            + torch.tensor(offset, dtype=torch.float64)[None, :, None, None]
        gamma = (torch.rand(c, generator=gen, dtype=torch.float64) + 0.5)
        beta = torch.randn(c, generator=gen, dtype=torch.float64)
        g = torch.randn(shape, generator=gen, dtype=torch.float64)
        xv, gv, bv = x.clone().requires_grad_(), gamma.clone().requires_grad_(), beta.clone().requires_grad_()
        y = torch.nn.functional.batch_norm(xv, None, None, gv, bv, training=True, eps=EPS)
        (y * g).sum().backward()
        arrays = {"x": x, "gamma": gamma, "beta": beta, "g": g, "y": y.detach(), "dx": xv.grad, "dgamma": gv.grad,
                  "dbeta": bv.grad}
        for k, v in arrays.items():
            np.save(os.path.join(OUT, f"{name}.{k}.npy"), v.numpy().astype(np.float64))
        manifest["cases"][name] = {"shape": list(shape), "values_per_channel": shape[0] * shape[2] * shape[3]}
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
