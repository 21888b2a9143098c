#!/usr/bin/python3
"""PyTorch/torchvision reference for loading weights into a model with another input: float64.

Run from anywhere (Debian python3-torch 1.13, python3-torchvision 0.14, numpy; about a second):

    /usr/bin/python3 clce-models/src/test/python/make_adaptation_fixtures.py

Writes clce-models/src/test/resources/fixtures/adapt/*.npy:
- pos_<g>_to_<n>.{in,out}.npy: a ViT position embedding [1, 1 + g*g, D] and what torchvision's own
  interpolate_embeddings (the function torchvision uses to load a ViT at another image size:
  bicubic, align_corners=True, class token kept) makes of it for an n x n patch grid.
- conv_<cf>_to_<c>.{in,out}.npy: a stem convolution [O, cf, k, k] for a model with c input channels,
  folded as timm's adapt_input_conv does: summed over the input channels for c = 1, else repeated
  to c channels and scaled by cf / c.
"""
import math
import os
from collections import OrderedDict

import numpy as np
import torch
from torchvision.models.vision_transformer import interpolate_embeddings

SEED = 20261204
OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "resources", "fixtures", "adapt"))


def save(name, a):
    np.save(os.path.join(OUT, name + ".npy"), a.detach().numpy().astype(np.float64))


def main():
    torch.manual_seed(SEED)
    os.makedirs(OUT, exist_ok=True)
    patch = 4
    for g, n, d in [(14, 2, 6), (14, 5, 6), (3, 7, 5)]:
        pos = torch.randn(1, 1 + g * g, d, dtype=torch.float64)
        state = OrderedDict([("encoder.pos_embedding", pos)])
        out = interpolate_embeddings(n * patch, patch, state)["encoder.pos_embedding"]
        assert out.shape == (1, 1 + n * n, d)
        save(f"pos_{g}_to_{n}.in", pos)
        save(f"pos_{g}_to_{n}.out", out)
    for cf, c in [(3, 1), (1, 3), (3, 2), (3, 5)]:
        w = torch.randn(4, cf, 3, 3, dtype=torch.float64)
        if c == 1:
            out = w.sum(dim=1, keepdim=True)
        else:
            rep = int(math.ceil(c / cf))
            out = w.repeat(1, rep, 1, 1)[:, :c, :, :] * (cf / float(c))
        save(f"conv_{cf}_to_{c}.in", w)
        save(f"conv_{cf}_to_{c}.out", out)


if __name__ == "__main__":
    main()
