"""Reference computations for the gpu-decon specs, run with Debian's /usr/bin/python3.

Usage: reference.py COMMAND JSON_ARGS. Volumes are raw little-endian float32 files (C order).
Everything here is written from the algorithm descriptions, independently of the C++ code.
"""
import json
import sys

import numpy as np


def load(path, shape):
    return np.fromfile(path, dtype="<f4").reshape(shape)


def save(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def gaussian_psf(size, sz, sxy):
    h = size // 2
    z, y, x = np.mgrid[-h:h + 1, -h:h + 1, -h:h + 1].astype(np.float64)
    psf = np.exp(-(z ** 2 / (2 * sz ** 2) + y ** 2 / (2 * sxy ** 2) + x ** 2 / (2 * sxy ** 2)))
    return (psf / psf.sum()).astype(np.float32)


def make_beads(a):
    """Seeded beads blurred by a Gaussian PSF ('same' linear convolution), background, Poisson noise, scaled to max 1."""
    from scipy.signal import fftconvolve

    rng = np.random.default_rng(a.get("seed", 0))
    shape = tuple(a["shape"])
    truth = np.zeros(shape, np.float64)
    n = a.get("beads", 60)
    for _ in range(n):
        idx = tuple(rng.integers(2, s - 2) for s in shape)
        truth[idx] += rng.uniform(200, 400)
    psf = gaussian_psf(a.get("psfSize", 9), a.get("sigmaZ", 2.0), a.get("sigmaXY", 1.3))
    blurred = fftconvolve(truth, psf.astype(np.float64), mode="same") + a.get("background", 5)
    image = rng.poisson(np.maximum(blurred, 0)).astype(np.float64)
    if a.get("scale", True):
        image /= image.max()
    save(a["image"], image)
    save(a["psf"], psf)
    print(json.dumps({"psfShape": list(psf.shape)}))


def skimage_rl(a):
    from skimage.restoration import richardson_lucy

    image = load(a["image"], a["shape"])
    psf = load(a["psf"], a["psfShape"])
    result = richardson_lucy(image, psf, num_iter=a["iterations"], clip=False)
    save(a["out"], result)


def smooth_at_most(n):
    def smooth(m):
        for p in (2, 3, 5, 7):
            while m % p == 0:
                m //= p
        return m == 1

    while n > 1 and not smooth(n):
        n -= 1
    return n


def apodize(v, count, axis):
    """Moves `count` samples at both ends of `axis` towards each other's value, half way at the edge."""
    n = v.shape[axis]
    count = min(count, n // 2)
    if count <= 0:
        return v
    first = np.take(v, [0], axis=axis)
    last = np.take(v, [n - 1], axis=axis)
    half = (last - first) / 2
    shape = [1] * v.ndim
    shape[axis] = count
    l = np.arange(count).reshape(shape)
    factor = half * (1 - np.sin((l + 0.5) / count * np.pi / 2))
    head = [slice(None)] * v.ndim
    head[axis] = slice(0, count)
    tail = [slice(None)] * v.ndim
    tail[axis] = slice(n - 1, n - 1 - count, -1) if n - 1 - count >= 0 else slice(n - 1, None, -1)
    v = v.copy()
    v[tuple(head)] += factor
    v[tuple(tail)] -= factor
    return v


def wrap_rl(a):
    """Circular-convolution RL on the image cropped to 2,3,5,7-smooth sizes, edges apodized, optional acceleration."""
    image = load(a["image"], a["shape"]).astype(np.float64)
    psf = load(a["psf"], a["psfShape"]).astype(np.float64)
    grid = tuple(smooth_at_most(n) for n in image.shape)
    y = np.maximum(image[: grid[0], : grid[1], : grid[2]] - a.get("background", 0), 0)
    napod = a.get("napodize", 0)
    if napod > 0:
        y = apodize(y, napod, 1)
        y = apodize(y, napod, 2)
    y = np.maximum(y, 0)
    psf = psf / psf.sum()
    peak = np.unravel_index(np.argmax(psf), psf.shape)
    placed = np.zeros(grid)
    placed[: psf.shape[0], : psf.shape[1], : psf.shape[2]] = psf
    placed = np.roll(placed, [-p for p in peak], axis=(0, 1, 2))
    otf = np.fft.rfftn(placed)
    forward = lambda v: np.fft.irfftn(np.fft.rfftn(v) * otf, s=grid)
    adjoint = lambda v: np.fft.irfftn(np.fft.rfftn(v) * np.conj(otf), s=grid)
    eps = max(1e-12, y.mean() * 1e-7)
    limit = a.get("ratioLimit", 0)
    x = y.copy()
    previous = x.copy()
    g_prev = g_prev2 = None
    for k in range(a["iterations"]):
        if a.get("accelerate", False):
            lam = 0.0
            if k >= 2:
                lam = float(np.clip(np.sum(g_prev * g_prev2) / (np.sum(g_prev2 * g_prev2) + 1e-30), 0, 1))
            predicted = np.maximum(x + lam * (x - previous), 0)
            previous = x
        else:
            predicted = x
        ratio = y / np.maximum(forward(predicted), eps)
        if limit > 0:
            ratio = np.minimum(ratio, limit)
        x = np.maximum(predicted * adjoint(ratio), 0)
        g_prev2 = g_prev if g_prev is not None else np.zeros_like(x)
        g_prev = x - predicted
    save(a["out"], x)
    print(json.dumps({"shape": list(grid)}))


def sheared_beads(a):
    """Beads in a stage-scanned stack: each bead lies along a line that moves shear px along x per plane."""
    nz, ny, nx = a["shape"]
    shear = a["shear"]
    stack = np.zeros((nz, ny, nx), np.float64)
    beads = a["beads"]
    for bead in beads:
        zc, yc, xc = bead
        for z in range(nz):
            # Deskewing reads raw column xo - width/2 + nx/2 - shear (z - nz/2) for output column xo.
            x = xc - a["width"] / 2 + nx / 2 - shear * (z - nz / 2)
            dz = (z - zc) * a.get("zScale", 1.0)
            amplitude = np.exp(-dz ** 2 / (2 * 2.0 ** 2))
            xs = np.arange(nx)
            ys = np.arange(ny)
            stack[z] += 1000 * amplitude * np.exp(-((ys[:, None] - yc) ** 2) / (2 * 1.2 ** 2)) * np.exp(-((xs[None, :] - x) ** 2) / (2 * 1.2 ** 2))
    np.round(stack).astype("<u2").tofile(a["out"])


def tiff_info(a):
    import tifffile

    with tifffile.TiffFile(a["path"]) as tif:
        data = tif.asarray()
        ome = tif.ome_metadata or ""
        series = tif.series[0]
        print(json.dumps({
            "shape": list(data.shape),
            "dtype": str(data.dtype),
            "axes": series.axes,
            "isOme": tif.is_ome,
            "ome": ome,
            "sum": float(np.asarray(data, np.float64).sum()),
            "max": float(np.asarray(data, np.float64).max()),
        }))


COMMANDS = {"make-beads": make_beads, "skimage-rl": skimage_rl, "wrap-rl": wrap_rl, "sheared-beads": sheared_beads, "tiff-info": tiff_info}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))
