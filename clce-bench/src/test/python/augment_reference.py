#!/usr/bin/env python3
"""Reference outputs of torchvision's tensor transforms for dev.clce.bench.data.AugmentReferenceTest.

On a fixed random 3x12x10 uint8 image: resized_crop (bilinear, antialias=False, as torchvision applies
to tensors) with and without a horizontal flip, adjust_brightness / contrast / saturation / hue, and
rgb_to_grayscale(3). Run:  /usr/bin/python3 clce-bench/src/test/python/augment_reference.py
(Debian's python3-torch 1.13 and python3-torchvision 0.14). Writes
clce-bench/src/test/resources/dev/clce/bench/data/augment_reference.json
"""
import json
import os

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode


def main():
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, size=(3, 12, 10), dtype=np.uint8)
    img[:, 0, 0] = 128  # one grey pixel: hue undefined, must stay unchanged
    t = torch.from_numpy(img)
    x = t.float() / 255
    crops = []
    for top, left, h, w, oh, ow, flip in [(2, 1, 7, 6, 9, 8, False), (0, 0, 12, 10, 5, 4, True),
                                          (3, 2, 5, 5, 5, 5, False), (1, 3, 10, 4, 16, 7, True)]:
        y = F.resized_crop(x, top, left, h, w, [oh, ow], InterpolationMode.BILINEAR, antialias=False)
        if flip:
            y = F.hflip(y)
        crops.append({"top": top, "left": left, "h": h, "w": w, "oh": oh, "ow": ow, "flip": flip,
                      "out": y.flatten().tolist()})
    colour = []
    for op, factor in [("brightness", 1.3), ("brightness", 0.65), ("contrast", 0.7), ("contrast", 1.35),
                       ("saturation", 1.35), ("saturation", 0.6), ("hue", 0.08), ("hue", -0.1),
                       ("hue", 0.5), ("grayscale", 0.0)]:
        if op == "brightness":
            y = F.adjust_brightness(x, factor)
        elif op == "contrast":
            y = F.adjust_contrast(x, factor)
        elif op == "saturation":
            y = F.adjust_saturation(x, factor)
        elif op == "hue":
            y = F.adjust_hue(x, factor)
        else:
            y = F.rgb_to_grayscale(x, num_output_channels=3)
        colour.append({"op": op, "factor": factor, "out": y.flatten().tolist()})
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "resources", "dev", "clce", "bench", "data", "augment_reference.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        json.dump({"generator": "clce-bench/src/test/python/augment_reference.py",
                   "torch": torch.__version__, "torchvision": torchvision.__version__,
                   "channels": 3, "height": 12, "width": 10, "image": img.flatten().tolist(),
                   "crops": crops, "colour": colour}, fh)
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
