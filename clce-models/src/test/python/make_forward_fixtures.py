#!/usr/bin/env python3
"""Forward-pass fixtures for clce-models (ForwardFixtureTest): torchvision-layout networks at tiny
sizes, with every parameter and buffer randomised, their inputs and PyTorch's outputs.

resnet_bottleneck.npz: torchvision Bottleneck blocks, stage widths 2, 4, 8, 16 (clce width 1/32),
    [1, 2, 1, 1] blocks, ImageNet stem (7x7/2 conv + 3x3/2 max-pool), 2 input channels, 32 px, 6 classes.
vit.npz: torchvision.models.vision_transformer.VisionTransformer(image_size=32, patch_size=8,
    num_layers=2, num_heads=2, hidden_dim=12, mlp_dim=24, num_classes=6), 3 channels.

Each file holds `state.<key>` for every state-dict entry (0-d tensors stored with shape (1,): ND4J
M2.1's npz reader cannot parse 0-d headers), `x` [3, C, 32, 32], and PyTorch's `eval_logits`,
`eval_embedding` (ResNet: pooled features; ViT: class token after encoder.ln) and, for the ResNet,
`train_logits` (training mode: batch statistics) and `train_logits64` (the same in float64).

Run from the repository root: /usr/bin/python3 clce-models/src/test/python/make_forward_fixtures.py
Deterministic (torch.manual_seed(1)); PyTorch 1.13 / torchvision 0.14 (Debian).
"""
import os

import numpy as np
import torch
import torch.nn as nn
from torchvision.models.resnet import Bottleneck, conv1x1
from torchvision.models.vision_transformer import VisionTransformer

OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "forward")


class TinyBottleneckResNet(nn.Module):
    """torchvision's ResNet with custom stage widths and block counts."""

    def __init__(self, widths=(2, 4, 8, 16), blocks=(1, 2, 1, 1), in_ch=2, classes=6):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = widths[0]
        for i, (w, n) in enumerate(zip(widths, blocks)):
            layers = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                down = None
                if stride != 1 or inplanes != w * 4:
                    down = nn.Sequential(conv1x1(inplanes, w * 4, stride), nn.BatchNorm2d(w * 4))
                layers.append(Bottleneck(inplanes, w, stride, down))
                inplanes = w * 4
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*layers))
        self.fc = nn.Linear(inplanes, classes)

    def features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)

    def forward(self, x):
        return self.fc(self.features(x))


def randomise(model):
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                t.fill_(7)
            elif name.endswith("running_var"):
                t.uniform_(0.5, 2.0)
            elif name.endswith("running_mean"):
                t.uniform_(-0.5, 0.5)
            elif t.dim() <= 1 or name.endswith("class_token") or name.endswith("pos_embedding"):
                t.copy_(torch.randn_like(t) * 0.3 + (1.0 if name.endswith(".weight") and t.dim() == 1 else 0.0))
            else:
                fan_in = t[0].numel()
                t.copy_(torch.randn_like(t) / fan_in ** 0.5)


def save(name, arrays):
    arrays = {k: (v.reshape(1) if v.ndim == 0 else v) for k, v in arrays.items()}
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    tmp = path + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)
    print("wrote", os.path.normpath(path), len(arrays), "arrays")


def state(model):
    return {"state." + k: v.numpy().copy() for k, v in model.state_dict().items()}


def main():
    torch.manual_seed(1)

    r = TinyBottleneckResNet()
    randomise(r)
    out = state(r)
    x = torch.randn(3, 2, 32, 32)
    out["x"] = x.numpy().copy()
    r.eval()
    with torch.no_grad():
        out["eval_logits"] = r(x).numpy().copy()
        out["eval_embedding"] = r.features(x).numpy().copy()
        r.train()
        out["train_logits"] = r(x).numpy().copy()
        # Training mode in float64: the last stage normalises over 3 values per channel, which
        # amplifies float32 rounding to ~1e-4; in float64 the two implementations must agree closely.
        r64 = TinyBottleneckResNet().double()
        r64.load_state_dict(r.state_dict())
        r64.train()
        out["train_logits64"] = r64(x.double()).numpy().copy()
    save("resnet_bottleneck.npz", out)

    v = VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=12, mlp_dim=24, num_classes=6)
    randomise(v)
    out = state(v)
    x = torch.randn(3, 3, 32, 32)
    out["x"] = x.numpy().copy()
    v.eval()
    with torch.no_grad():
        out["eval_logits"] = v(x).numpy().copy()
        h = v._process_input(x)
        h = torch.cat([v.class_token.expand(x.shape[0], -1, -1), h], dim=1)
        out["eval_embedding"] = v.encoder(h)[:, 0].numpy().copy()
    save("vit.npz", out)


if __name__ == "__main__":
    main()
