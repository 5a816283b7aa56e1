"""Python side of the gpu-decon benchmark (Debian's /usr/bin/python3): data, scikit-image and scipy.fft RL.

Usage: bench.py COMMAND JSON_ARGS; prints one JSON line. Times cover one deconvolution call, from the
array in memory to the array out (no file I/O), as the addon's times do.
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src", "test-support"))
import reference  # noqa: E402


def load(path, shape):
    return np.fromfile(path, dtype="<f4").reshape(shape)


def make(a):
    """Seeded beads (2000 per 64x256x256) blurred by a 17^3 Gaussian PSF (sigma z 3, xy 1.5), +5 background, Poisson, scaled to 1."""
    shape = a["shape"]
    beads = int(2000 * np.prod(shape) / (64 * 256 * 256))
    reference.make_beads({"shape": shape, "image": a["image"], "psf": a["psf"], "psfSize": 17, "sigmaZ": 3.0, "sigmaXY": 1.5, "beads": beads, "seed": 0})


def skimage_rl(a):
    from skimage.restoration import richardson_lucy

    image = load(a["image"], a["shape"])
    psf = load(a["psf"], a["psfShape"])
    times = []
    for _ in range(a.get("runs", 1)):
        start = time.perf_counter()
        out = richardson_lucy(image, psf, num_iter=a["iterations"], clip=False)
        times.append(time.perf_counter() - start)
    np.ascontiguousarray(out, dtype="<f4").tofile(a["out"])
    print(json.dumps({"times": times}))


def scipy_rl(a):
    """Plain RL on a zero-padded grid next_fast_len(n + k//2), OTF precomputed, 4 FFTs per iteration, scipy.fft workers."""
    from scipy import fft

    image = load(a["image"], a["shape"])
    psf = load(a["psf"], a["psfShape"])
    times = []
    for _ in range(a.get("runs", 1)):
        start = time.perf_counter()
        n = image.shape
        k = psf.shape
        grid = tuple(fft.next_fast_len(ni + ki // 2, real=True) for ni, ki in zip(n, k))
        placed = np.zeros(grid, np.float32)
        placed[: k[0], : k[1], : k[2]] = psf
        placed = np.roll(placed, [-(ki // 2) for ki in k], axis=(0, 1, 2))
        otf = fft.rfftn(placed, workers=a["workers"])
        region = tuple(slice(0, ni) for ni in n)
        x = np.full(n, 0.5, np.float32)
        work = np.zeros(grid, np.float32)
        for _ in range(a["iterations"]):
            work[...] = 0
            work[region] = x
            conv = fft.irfftn(fft.rfftn(work, workers=a["workers"]) * otf, s=grid, workers=a["workers"])[region]
            work[...] = 0
            work[region] = image / (conv + 1e-12)
            x = x * fft.irfftn(fft.rfftn(work, workers=a["workers"]) * np.conj(otf), s=grid, workers=a["workers"])[region]
        times.append(time.perf_counter() - start)
    print(json.dumps({"times": times, "grid": list(grid)}))


COMMANDS = {"make": make, "skimage": skimage_rl, "scipy": scipy_rl}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))
