#!/usr/bin/python3
# Regenerate: /usr/bin/python3 clce-core/src/test/python/make_npy_test_files.py   (from the repository root)
"""Tiny .npy files written by NumPy itself, for NpyTest (dev.clce.core.io.Npy).

Every numeric file holds `np.arange(n).reshape(shape) * scale + offset` in the named dtype, so the
Java test knows the values without reading this script's output (see NpyTest for the formulas).
"""
import os

import numpy as np
from numpy.lib import format as npf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "npy")


def save(name, arr, version=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        if version is None:
            np.save(f, arr)
        else:
            npf.write_array(f, arr, version=version)


def main():
    os.makedirs(OUT, exist_ok=True)
    # value(i) = i * 0.5 - 1 over the flat C-order index i
    save("f8_2x3.npy", np.arange(6, dtype=np.float64).reshape(2, 3) * 0.5 - 1)
    save("f4_3x2.npy", (np.arange(6, dtype=np.float64).reshape(3, 2) * 0.5 - 1).astype("<f4"))
    # value(i) = i - 2
    save("i4_5.npy", np.arange(5, dtype="<i4") - 2)
    # value(i) = i * 1_000_000_000_000 - 3
    save("i8_4.npy", np.arange(4, dtype="<i8") * 1_000_000_000_000 - 3)
    # value(i) = 250 + i (wraps past 255: 250..255, 0, 1)
    save("u1_2x2x2.npy", ((np.arange(8) + 250) % 256).astype("|u1").reshape(2, 2, 2))
    save("f8_scalar.npy", np.array(3.25, dtype="<f8"))
    save("f8_0x3.npy", np.zeros((0, 3), dtype="<f8"))
    # the same 2x3 doubles in format versions 2.0 and 3.0
    save("f8_2x3_v2.npy", np.arange(6, dtype=np.float64).reshape(2, 3) * 0.5 - 1, version=(2, 0))
    save("f8_2x3_v3.npy", np.arange(6, dtype=np.float64).reshape(2, 3) * 0.5 - 1, version=(3, 0))
    # refused: Fortran order, big-endian, unsupported dtype
    save("f8_2x3_fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)))
    save("f8_big_endian.npy", np.arange(3, dtype=">f8"))
    save("c16_complex.npy", np.arange(3, dtype="<c16"))


if __name__ == "__main__":
    main()
