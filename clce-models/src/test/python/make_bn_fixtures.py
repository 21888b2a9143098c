#!/usr/bin/env python3
"""Fixtures for the trainable BatchNorm of clce-models (BatchNormFixtureTest).

A tiny ResNet laid out exactly as clce-models' ResNetBuilder.basic("...", [1, 1, 1, 1]) with width
1/16 (stage widths 4, 8, 16, 32), the small-image stem (3x3/1 conv, no max-pool), 3 input channels,
8x8 images and 5 classes, built from torchvision's own BasicBlock so that the state-dict names are
torchvision's. Written to clce-models/src/test/resources/fixtures/bn/bn_fixtures.npz:

  init.<key>        every state-dict entry before training (BatchNorm weights/biases randomised so
                    that they are not 1/0)
  train_x.<k>       the K training batches [4, 3, 8, 8]
  train0_logits     logits of the first training-mode forward pass (batch statistics)
  after.<key>       running_mean / running_var / num_batches_tracked after the K training forward
                    passes (PyTorch updates them in forward; the weights are not changed: lr 0)
  eval_x            an evaluation batch [3, 3, 8, 8]
  eval_logits       eval-mode logits on eval_x with the `after` running statistics
  eval_embedding    eval-mode global-average-pooled features on eval_x

The 0-d num_batches_tracked tensors are stored with shape (1,): ND4J M2.1's npz reader cannot parse a
0-d header ("NumberFormatException: For input string: \"\"").

Run from the repository root: /usr/bin/python3 clce-models/src/test/python/make_bn_fixtures.py
Deterministic (torch.manual_seed(0)); PyTorch 1.13 / torchvision 0.14 (Debian).
"""
import os

import numpy as np
import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock, conv1x1

K = 3
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "bn", "bn_fixtures.npz")


class TinyResNet(nn.Module):
    """torchvision's ResNet with stage widths 4, 8, 16, 32, one BasicBlock per stage, small stem."""

    def __init__(self, widths=(4, 8, 16, 32), in_ch=3, classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        inplanes = widths[0]
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or inplanes != w:
                down = nn.Sequential(conv1x1(inplanes, w, stride), nn.BatchNorm2d(w))
            setattr(self, "layer%d" % (i + 1), nn.Sequential(BasicBlock(inplanes, w, stride, down)))
            inplanes = w
        self.fc = nn.Linear(inplanes, classes)

    def features(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)

    def forward(self, x):
        return self.fc(self.features(x))


def main():
    torch.manual_seed(0)
    model = TinyResNet()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    out = {}
    for k, v in model.state_dict().items():
        out["init." + k] = v.numpy().copy()

    model.train()
    xs = [torch.randn(4, 3, 8, 8) * 2 + 0.5 for _ in range(K)]
    with torch.no_grad():
        for i, x in enumerate(xs):
            logits = model(x)
            if i == 0:
                out["train0_logits"] = logits.numpy().copy()
            out["train_x.%d" % i] = x.numpy().copy()
    for k, v in model.state_dict().items():
        if "running" in k or "num_batches" in k:
            out["after." + k] = v.numpy().copy()

    model.eval()
    x = torch.randn(3, 3, 8, 8)
    with torch.no_grad():
        out["eval_x"] = x.numpy().copy()
        out["eval_logits"] = model(x).numpy().copy()
        out["eval_embedding"] = model.features(x).numpy().copy()

    out = {k: (v.reshape(1) if v.ndim == 0 else v) for k, v in out.items()}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + ".tmp.npz"
    np.savez(tmp, **out)
    os.replace(tmp, OUT)
    print("wrote", os.path.normpath(OUT), len(out), "arrays")


if __name__ == "__main__":
    main()
