#!/usr/bin/python3
"""Writes random-initialised torchvision weights for `./clce bench --paper --smoke` on Fashion-MNIST
(1 channel, 32 px), through the committed converter's writer (torchvision names and layout):

    /usr/bin/python3 clce-bench/src/test/python/paper_smoke_weights.py resnet101 /tmp/r101-gray32.safetensors
    /usr/bin/python3 clce-bench/src/test/python/paper_smoke_weights.py vit_b_16 /tmp/vitb16-gray32.safetensors

The converter (clce-models/src/main/python/torchvision_to_safetensors.py) writes 3-channel, 224 px
models; clce builds the model for the data's channels and the preset's input size, and loads strictly.
So this script builds the torchvision model at the smoke input size (ViT: image_size, which sizes the
position embedding) and folds the stem's RGB filters into one grey filter (their sum, timm's rule
for in_chans=1), then writes it with the converter's write_safetensors. Random weights (no network
here): the smoke run tests the code path, not the paper's numbers.
"""
import argparse
import os
import sys
from collections import OrderedDict

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "clce-models", "src", "main", "python"))
from torchvision_to_safetensors import write_safetensors  # noqa: E402

STEM = {"resnet101": "conv1.weight", "vit_b_16": "conv_proj.weight"}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("arch", choices=sorted(STEM))
    p.add_argument("out")
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--channels", type=int, default=1, choices=[1, 3])
    a = p.parse_args()
    torch.manual_seed(0)
    if a.arch == "vit_b_16":
        model = torchvision.models.vit_b_16(weights=None, image_size=a.image_size)
    else:
        model = torchvision.models.resnet101(weights=None)
    state = OrderedDict((k, v.float() if v.is_floating_point() else v) for k, v in model.state_dict().items())
    if a.channels == 1:
        state[STEM[a.arch]] = state[STEM[a.arch]].sum(dim=1, keepdim=True)
    write_safetensors(a.out, state, {"format": "pt", "arch": a.arch, "torchvision": torchvision.__version__,
                                     "image_size": a.image_size, "channels": a.channels})


if __name__ == "__main__":
    main()
