#!/usr/bin/env python3
"""hypervec .npy I/O against real numpy (Debian python3-numpy).

hypervec writes, numpy reads and checks; numpy writes (C and Fortran order,
big-endian, format versions 2.0 and 3.0, complex64/complex128 as torchhd's
FHRR tensors are saved), hypervec reads and checks. Also
checks the packbits bit order and docs/concepts.md's RNG formula: numpy
rebuilds bipolar::random_matrix(4, 100, seed=5) from the formula alone.
Usage: npy_numpy_test.py NPY_TOOL. Exit 77 (skipped) when numpy is missing.
"""
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("numpy not installed (Debian: python3-numpy); skipping")
    sys.exit(77)

M = (1 << 64) - 1


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def bipolar_row(dim, seed, row):
    """±1 int8 row `row` of seed `seed`, from the documented formula."""
    key = mix64((mix64(seed) + row) & M)
    words = [mix64((key + (j + 1) * 0x9E3779B97F4A7C15) & M) for j in range((dim + 63) // 64)]
    bits = np.array([(words[i // 64] >> (i % 64)) & 1 for i in range(dim)], dtype=np.int8)
    return (1 - 2 * bits).astype(np.int8)


def expected(dtype, n):
    k = np.arange(n)
    if dtype in (np.complex64, np.complex128):
        return (((k % 97) * 0.25 - 12.0) + 1j * ((k % 5) * 0.5 - 1.0)).astype(dtype)
    if dtype in (np.float32, np.float64):
        return ((k % 97) * 0.25 - 12.0).astype(dtype)
    if dtype == np.int8:
        return ((k * 7 % 256) - 128).astype(np.int8)
    if dtype == np.uint8:
        return (k * 13 % 256).astype(np.uint8)
    return (k % 3 == 0)


def main():
    tool = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([tool, "write", d], check=True)
        for name, dtype in [("f4", np.float32), ("f8", np.float64), ("i1", np.int8),
                            ("u1", np.uint8), ("b1", np.bool_), ("c8", np.complex64),
                            ("c16", np.complex128)]:
            a = np.load(f"{d}/{name}.npy")
            want = expected(dtype, 15).reshape(3, 5)
            if a.dtype != want.dtype or a.shape != (3, 5) or not np.array_equal(a, want):
                print(f"FAIL: numpy reads {name}.npy as {a.dtype} {a.shape}: {a}")
                failures += 1
        packed = np.load(f"{d}/packed.npy")
        bits = np.unpackbits(packed, axis=1)[:, :100]
        for r in range(4):
            if not np.array_equal(1 - 2 * bits[r].astype(np.int8), bipolar_row(100, 5, r)):
                print(f"FAIL: packbits row {r} differs from the documented RNG formula")
                failures += 1

        def save(name, arr, version=None):
            with open(f"{d}/{name}.npy", "wb") as f:
                np.lib.format.write_array(f, arr, version=version)

        save("f4", expected(np.float32, 15).reshape(3, 5))
        save("f8", expected(np.float64, 15).reshape(3, 5))
        save("i1", expected(np.int8, 15).reshape(3, 5))
        save("u1", expected(np.uint8, 15).reshape(3, 5))
        save("b1", expected(np.bool_, 15).reshape(3, 5))
        save("f4_fortran", np.asfortranarray(expected(np.float32, 15).reshape(3, 5)))
        save("i1_fortran", np.asfortranarray(expected(np.int8, 15).reshape(3, 5)))
        save("f8_big", expected(np.float64, 15).reshape(3, 5).astype(">f8"))
        save("f4_v2", expected(np.float32, 15).reshape(3, 5), version=(2, 0))
        save("f4_v3", expected(np.float32, 15).reshape(3, 5), version=(3, 0))
        save("c8", expected(np.complex64, 15).reshape(3, 5))
        save("c16", expected(np.complex128, 15).reshape(3, 5))
        save("c8_big", expected(np.complex64, 15).reshape(3, 5).astype(">c8"))
        save("c16_big", expected(np.complex128, 15).reshape(3, 5).astype(">c16"))
        save("c8_fortran", np.asfortranarray(expected(np.complex64, 15).reshape(3, 5)))
        save("c16_big_fortran",
             np.asfortranarray(expected(np.complex128, 15).reshape(3, 5).astype(">c16")))
        save("bipolar_f4", np.stack([bipolar_row(100, 5, r) for r in range(4)]).astype(np.float32))
        if subprocess.run([tool, "check", d]).returncode != 0:
            print("FAIL: hypervec could not read numpy's files correctly")
            failures += 1
    print(f"{'FAIL' if failures else 'OK'}: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
