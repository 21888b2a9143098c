#!/usr/bin/python3
"""Makes the model fixtures of clce-models' weight tests from torchvision (Debian python3-torch 1.13,
python3-torchvision 0.14, numpy). Run from anywhere:

    /usr/bin/python3 clce-models/src/test/python/make_model_fixtures.py

Writes into clce-models/src/test/resources/fixtures/models/:

* For each reduced model NAME (see REDUCED below): NAME.safetensors (the state dict with torchvision's
  parameter and buffer names, float32 tensors, int64 num_batches_tracked scalars), NAME_input.npy
  (float32 NCHW batch), NAME_logits.npy and NAME_embedding.npy (PyTorch's eval-mode outputs, computed
  in float64 from exactly the stored float32 weights and input, then stored as float32). The
  embedding is the classifier's input: ResNet's flattened global-average pool, ViT's final class token
  (after the encoder's LayerNorm).
* models.json: the configuration of each reduced model, in the terms of our ModelOptions.
* torchvision_manifest.json: name, dtype and shape of every state-dict entry (buffers included) of
  the full-size networks at 1000 classes and 224 px, as torchvision builds them (weights=None: no
  download).
* dtypes.safetensors: a few values stored as F16, BF16, F64, I32, I64, each with the float32 (or
  int64) values torch converts them to, for the reader's dtype test.

Weights are random but seeded, and BatchNorm running statistics, affine parameters and batch
counters are made non-trivial. The safetensors files are written here with struct and json (the
safetensors package is not available): 8-byte little-endian header length, JSON header padded with
spaces to a multiple of 8, then the raw little-endian tensor bytes in header order.
"""

import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
import torchvision
from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet
from torchvision.models.vision_transformer import VisionTransformer

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "models")
SEED = 20241028

# The state-dict writer and its dtype names are the converter's (clce-models/src/main/python).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "python"))
from torchvision_to_safetensors import DTYPES, write_safetensors  # noqa: E402


def save_npy(path, arr):
    tmp = path + ".tmp.npy"
    np.save(tmp, np.ascontiguousarray(arr))
    os.replace(tmp, path)


class ReducedResNet(ResNet):
    """torchvision's ResNet with the channel widths scaled (torchvision fixes them at 64..512) and a
    choice of stem; blocks, forward and naming are torchvision's own (ResNet._make_layer,
    ResNet._forward_impl)."""

    def __init__(self, block, layers, planes, num_classes, small_stem, in_channels=3):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = planes[0]
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        if small_stem:
            self.conv1 = nn.Conv2d(in_channels, planes[0], kernel_size=3, stride=1, padding=1, bias=False)
            self.maxpool = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(in_channels, planes[0], kernel_size=7, stride=2, padding=3, bias=False)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(planes[0])
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(block, planes[0], layers[0])
        self.layer2 = self._make_layer(block, planes[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, planes[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, planes[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(planes[3] * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


# The reduced models: torchvision module, input shape, and the same network in ModelOptions terms.
# ResNet planes are round(64 * width) * 2^stage, as our ResNetBuilder.
REDUCED = OrderedDict([
    ("resnet18_tiny", dict(
        options=dict(arch="resnet18", width=0.125, maxBlocksPerStage=0, classes=10, imageSize=32, channels=3,
                     stem="imagenet"),
        build=lambda: ReducedResNet(BasicBlock, [2, 2, 2, 2], [8, 16, 32, 64], 10, small_stem=False),
        input=(2, 3, 32, 32))),
    ("resnet50_tiny", dict(
        options=dict(arch="resnet50", width=0.0625, maxBlocksPerStage=1, classes=7, imageSize=16, channels=3,
                     stem="small"),
        build=lambda: ReducedResNet(Bottleneck, [1, 1, 1, 1], [4, 8, 16, 32], 7, small_stem=True),
        input=(3, 3, 16, 16))),
    ("vit_tiny", dict(
        options=dict(arch="vit_custom", imageSize=32, patchSize=8, depth=2, width=32, heads=4, mlpDim=64, classes=5,
                     channels=3),
        build=lambda: VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=32,
                                        mlp_dim=64, num_classes=5),
        input=(2, 3, 32, 32))),
])


def randomise(model, gen):
    """Makes every parameter and buffer non-trivial (torchvision zero-initialises ViT's head and
    class token, and BatchNorm starts at mean 0, variance 1, weight 1, bias 0)."""
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(0.2 * torch.randn(n, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(n, generator=gen))
                m.weight.copy_(0.75 + 0.5 * torch.rand(n, generator=gen))
                m.bias.copy_(0.1 * torch.randn(n, generator=gen))
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))
        if isinstance(model, VisionTransformer):
            for name, p in model.named_parameters():
                if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "encoder.ln.weight":
                    p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
                elif name.startswith("heads."):
                    p.copy_(0.2 * torch.randn(p.shape, generator=gen))
                else:
                    p.add_(0.05 * torch.randn(p.shape, generator=gen))
        else:
            model.fc.bias.copy_(0.1 * torch.randn(model.fc.bias.shape, generator=gen))


def classifier(model):
    return model.fc if isinstance(model, ResNet) else model.heads


def make_reduced(name, spec, gen):
    model = spec["build"]()
    randomise(model, gen)
    model.eval()
    state = model.state_dict()
    for k, t in state.items():
        assert t.dtype in (torch.float32, torch.int64), (k, t.dtype)
    write_safetensors(os.path.join(OUT, name + ".safetensors"), state,
                      {"format": "pt", "source": "make_model_fixtures.py " + name,
                       "torchvision": torchvision.__version__})
    x = torch.randn(spec["input"], generator=gen, dtype=torch.float32)
    # Reference in float64 from exactly the stored float32 weights and input.
    ref = spec["build"]()
    ref.load_state_dict(state)
    ref = ref.double().eval()
    captured = {}

    def capture(module, inp, out):
        captured["e"] = inp[0].detach()  # returns None: the output is left alone

    hook = classifier(ref).register_forward_hook(capture)
    with torch.no_grad():
        logits = ref(x.double())
    hook.remove()
    emb = captured["e"]
    # The float32 model agrees with the float64 reference (a sanity check of the fixture, not of us).
    with torch.no_grad():
        l32 = model(x)
    rel = float((l32.double() - logits).abs().max() / logits.abs().max())
    assert rel < 1e-5, (name, rel)
    save_npy(os.path.join(OUT, name + "_input.npy"), x.numpy().astype("<f4"))
    save_npy(os.path.join(OUT, name + "_logits.npy"), logits.numpy().astype("<f4"))
    save_npy(os.path.join(OUT, name + "_embedding.npy"), emb.numpy().astype("<f4"))
    n_params = sum(p.numel() for p in model.parameters())
    print("%-14s params %8d  state entries %3d  logits %s  embedding %s  max|logit| %.3f" % (
        name, n_params, len(state), tuple(logits.shape), tuple(emb.shape), float(logits.abs().max())))
    cfg = dict(spec["options"])
    cfg.update(input=list(spec["input"]), parameters=n_params, stateEntries=len(state))
    return cfg


FULL = OrderedDict([
    ("resnet18", lambda: torchvision.models.resnet18(weights=None)),
    ("resnet34", lambda: torchvision.models.resnet34(weights=None)),
    ("resnet50", lambda: torchvision.models.resnet50(weights=None)),
    ("resnet101", lambda: torchvision.models.resnet101(weights=None)),
    ("resnet152", lambda: torchvision.models.resnet152(weights=None)),
    ("vit_b_16", lambda: torchvision.models.vit_b_16(weights=None)),
    ("vit_b_32", lambda: torchvision.models.vit_b_32(weights=None)),
    ("vit_l_16", lambda: torchvision.models.vit_l_16(weights=None)),
    # Not torchvision builders: its VisionTransformer class with the DeiT-Ti and DeiT-S configurations.
    ("vit_ti_16", lambda: VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=3,
                                            hidden_dim=192, mlp_dim=768)),
    ("vit_s_16", lambda: VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=6,
                                           hidden_dim=384, mlp_dim=1536)),
])


def make_manifest():
    models = OrderedDict()
    for name, build in FULL.items():
        with torch.no_grad():
            m = build()
        entries = [[k, DTYPES[t.dtype], list(t.shape)] for k, t in m.state_dict().items()]
        n_params = sum(p.numel() for p in m.parameters())
        models[name] = OrderedDict([("classes", 1000), ("imageSize", 224), ("parameters", n_params),
                                    ("tensors", entries)])
        print("%-10s %4d state entries, %d parameters" % (name, len(entries), n_params))
        del m
    # One tensor per line: small diffs when torchvision changes.
    lines = ['{', '  "torchvision": %s,' % json.dumps(torchvision.__version__), '  "models": {']
    for i, (name, m) in enumerate(models.items()):
        lines.append('    %s: {"classes": %d, "imageSize": %d, "parameters": %d, "tensors": [' % (
            json.dumps(name), m["classes"], m["imageSize"], m["parameters"]))
        for j, e in enumerate(m["tensors"]):
            lines.append('      ' + json.dumps(e, separators=(",", ":")) + ("," if j < len(m["tensors"]) - 1 else ""))
        lines.append('    ]}' + ("," if i < len(models) - 1 else ""))
    lines.append('  }')
    lines.append('}')
    path = os.path.join(OUT, "torchvision_manifest.json")
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    json.load(open(path + ".tmp"))
    os.replace(path + ".tmp", path)


def make_dtypes():
    """Values in every supported dtype next to what torch converts them to."""
    v = torch.tensor([1.0, -2.5, 0.1, 65504.0, 6.0e-8, -1.0e-3, 3.140625, 1.0 / 3.0], dtype=torch.float64)
    t = OrderedDict()
    t["f16"] = v.to(torch.float16)
    t["f16_as_f32"] = t["f16"].to(torch.float32)
    t["bf16"] = v.to(torch.bfloat16)
    t["bf16_as_f32"] = t["bf16"].to(torch.float32)
    t["f64"] = v.reshape(2, 4)
    t["f32"] = v.to(torch.float32).reshape(4, 2)
    t["i64"] = torch.tensor([-(2 ** 40), 0, 7, 2 ** 62], dtype=torch.int64)
    t["i32"] = torch.tensor([[-(2 ** 31), 1], [2 ** 31 - 1, -5]], dtype=torch.int32)
    t["scalar_i64"] = torch.tensor(42, dtype=torch.int64)
    write_safetensors(os.path.join(OUT, "dtypes.safetensors"), t, {"format": "pt"})


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    configs = OrderedDict()
    for name, spec in REDUCED.items():
        configs[name] = make_reduced(name, spec, gen)
    with open(os.path.join(OUT, "models.json.tmp"), "w") as f:
        json.dump(OrderedDict([("torch", torch.__version__), ("torchvision", torchvision.__version__),
                               ("seed", SEED), ("models", configs)]), f, indent=2)
        f.write("\n")
    os.replace(os.path.join(OUT, "models.json.tmp"), os.path.join(OUT, "models.json"))
    make_dtypes()
    if "--no-manifest" not in sys.argv:
        make_manifest()


if __name__ == "__main__":
    main()
