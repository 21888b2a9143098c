#!/usr/bin/python3
"""Writes a torchvision model's state dict as a safetensors file that clce's ModelWeights.load (and
`./clce model --weights`) reads: torchvision's parameter and buffer names, float32 tensors, int64
num_batches_tracked scalars.

    # a checkpoint you already have (for example one of torchvision's published .pth files):
    /usr/bin/python3 torchvision_to_safetensors.py resnet50 resnet50.safetensors --pth resnet50-11ad3fa6.pth
    # torchvision's own download (needs network access on the machine that runs it):
    /usr/bin/python3 torchvision_to_safetensors.py vit_b_16 vit_b_16.safetensors --weights IMAGENET1K_V1
    # random weights (for trying things out):
    /usr/bin/python3 torchvision_to_safetensors.py resnet18 r18.safetensors --num-classes 10

The checkpoint goes through torchvision's load_state_dict(strict=True), so older layouts (ViT MLP
layers named mlp.linear_1/2 before torchvision 0.14) come out with current names (mlp.0/mlp.3),
as clce's graphs name them. Needs only torch and torchvision (not the safetensors package).
"""

import argparse
import json
import os
import struct
from collections import OrderedDict

import torch
import torchvision

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32"}
ARCHS = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "vit_b_16", "vit_b_32", "vit_l_16"]


def write_safetensors(path, tensors, metadata=None):
    """Writes name -> tensor (in order) as safetensors, atomically (temporary file, then rename)."""
    header = OrderedDict()
    if metadata:
        header["__metadata__"] = OrderedDict((k, str(v)) for k, v in metadata.items())
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.bfloat16:
            b = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            a = t.numpy()
            b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = OrderedDict([("dtype", DTYPES[t.dtype]), ("shape", list(t.shape)),
                                    ("data_offsets", [offset, offset + len(b)])])
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("arch", choices=ARCHS)
    p.add_argument("out", help="the .safetensors file to write")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--pth", help="a state-dict checkpoint (.pth) to convert")
    g.add_argument("--weights", help="a torchvision weights enum name, e.g. IMAGENET1K_V1 (downloads)")
    p.add_argument("--num-classes", type=int, default=1000, help="classes of the classifier (default 1000)")
    a = p.parse_args()
    builder = getattr(torchvision.models, a.arch)
    if a.weights:
        model = builder(weights=a.weights)
    else:
        model = builder(weights=None, num_classes=a.num_classes)
        if a.pth:
            state = torch.load(a.pth, map_location="cpu")
            if isinstance(state, dict) and "state_dict" in state:
                state = state["state_dict"]
            model.load_state_dict(state, strict=True)
    state = OrderedDict((k, v.float() if v.is_floating_point() else v) for k, v in model.state_dict().items())
    write_safetensors(a.out, state, {"format": "pt", "arch": a.arch, "torchvision": torchvision.__version__})
    print("%s: %d tensors, %d parameters -> %s" % (a.arch, len(state), sum(p.numel() for p in model.parameters()), a.out))


if __name__ == "__main__":
    main()
