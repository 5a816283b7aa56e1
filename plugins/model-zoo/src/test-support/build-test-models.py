#!/usr/bin/env python3
"""Builds the BioImage Model Zoo test packages of @bioimageit/model-zoo.

Usage (Debian's python3 with numpy, scipy, python3-onnx and python3-yaml):

    build-test-models.py OUT_DIR [--bad BAD_DIR]
    build-test-models.py --bad BAD_DIR

OUT_DIR receives one folder per model (`unet3d-halo`, `unet3d-halo-v0_4`, `two-channel-2d`,
`percentile-2d`), each a complete package: rdf.yaml, weights.onnx, test_input.npy,
test_output.npy, cover.png and README.md. BAD_DIR receives broken variants for error tests.
Both receive a `manifest.json` describing what was written.

The ONNX graphs are built with onnx.helper from deterministic weights. The test outputs are
computed by an independent NumPy reference of the same network and of the pre- and
post-processing as bioimage.io defines it (eps 1e-6 defaults, numpy 'linear' percentiles,
population standard deviation), never by an ONNX runtime.
"""

import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import zlib

import numpy as np
import onnx
import yaml
from onnx import TensorProto, helper, numpy_helper
from scipy import ndimage, signal

OPSET = 17
IR_VERSION = 8
FORMAT_05 = "0.5.4"
FORMAT_04 = "0.4.10"
TIMESTAMP = "2024-06-01T12:00:00+00:00"
EPS = 1e-6  # bioimage.io default eps of zero_mean_unit_variance and scale_range
TOLERANCE = {"relative_tolerance": 1e-4, "absolute_tolerance": 1e-4, "mismatched_elements_per_million": 0}
AUTHORS = [{"name": "BioImageIT test suite", "affiliation": "BioImageIT", "github_user": "bioimageit"}]
CITE = [{"text": "BioImageIT test models (synthetic, not trained)", "url": "https://github.com/bioimageit"}]


# --------------------------------------------------------------------------------------------
# files


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def write_png(path, image):
    """Writes a 2-D uint8 array as an 8-bit grayscale PNG (no dependency on PIL)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = image.shape
    raw = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as stream:
        stream.write(b"\x89PNG\r\n\x1a\n")
        stream.write(chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def to_cover(plane):
    plane = np.asarray(plane, dtype=np.float64)
    low, high = float(plane.min()), float(plane.max())
    scaled = (plane - low) / (high - low) if high > low else np.zeros_like(plane)
    return np.round(scaled * 255).astype(np.uint8)


def write_yaml(path, data):
    with open(path, "w", encoding="utf-8") as stream:
        yaml.safe_dump(data, stream, sort_keys=False, default_flow_style=False, allow_unicode=True)


def write_text(path, text):
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)


# --------------------------------------------------------------------------------------------
# the NumPy reference of the networks


def conv_same(x, weights, bias):
    """ONNX Conv (cross-correlation, stride 1, zero padding k//2 on both sides) of one sample.

    x: (C, *spatial); weights: (O, C, *kernel) with odd kernel sizes; bias: (O,). float64.
    """
    kernel = weights.shape[2:]
    pads = [(0, 0)] + [(k // 2, k // 2) for k in kernel]
    padded = np.pad(x, pads)
    out = np.zeros((weights.shape[0],) + x.shape[1:], dtype=np.float64)
    for offset in np.ndindex(*kernel):
        window = tuple(slice(o, o + n) for o, n in zip(offset, x.shape[1:]))
        out += np.einsum("oc,c...->o...", weights[(slice(None), slice(None)) + offset], padded[(slice(None),) + window])
    return out + bias.reshape((-1,) + (1,) * (x.ndim - 1))


def conv_same_scipy(x, weights, bias):
    """The same convolution through scipy.signal.correlate: a cross-check of conv_same."""
    out = np.zeros((weights.shape[0],) + x.shape[1:], dtype=np.float64)
    for o in range(weights.shape[0]):
        for c in range(weights.shape[1]):
            out[o] += signal.correlate(x[c], weights[o, c], mode="same", method="direct")
        out[o] += bias[o]
    return out


def run_reference(layers, x):
    """Runs `layers` ((kind, params) tuples) on a batch (N, C, ...) in float64."""
    results = []
    for sample in x.astype(np.float64):
        checked = sample
        for kind, params in layers:
            if kind == "conv":
                w, b = params
                value = conv_same(sample, w.astype(np.float64), b.astype(np.float64))
                check = conv_same_scipy(checked, w.astype(np.float64), b.astype(np.float64))
                assert np.allclose(value, check, rtol=1e-9, atol=1e-9), "conv reference disagrees with scipy"
                sample, checked = value, check
            elif kind == "relu":
                sample, checked = np.maximum(sample, 0), np.maximum(checked, 0)
            else:
                raise ValueError(kind)
        results.append(sample)
    return np.stack(results)


def onnx_model(layers, input_name, output_name, spatial_dims, channels_in, channels_out, doc):
    """The ONNX graph of `layers` with symbolic batch and spatial sizes."""
    names = ["z", "y", "x"][-spatial_dims:]
    inputs = [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["batch", channels_in] + names)]
    outputs = [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, ["batch", channels_out] + names)]
    nodes, initializers = [], []
    current = input_name
    for index, (kind, params) in enumerate(layers):
        target = output_name if index == len(layers) - 1 else f"t{index}"
        if kind == "conv":
            w, b = params
            initializers.append(numpy_helper.from_array(w.astype(np.float32), f"w{index}"))
            initializers.append(numpy_helper.from_array(b.astype(np.float32), f"b{index}"))
            kernel = list(w.shape[2:])
            pads = [k // 2 for k in kernel] * 2
            nodes.append(
                helper.make_node(
                    "Conv", [current, f"w{index}", f"b{index}"], [target], name=f"conv{index}", kernel_shape=kernel, pads=pads
                )
            )
        else:
            nodes.append(helper.make_node("Relu", [current], [target], name=f"relu{index}"))
        current = target
    graph = helper.make_graph(nodes, "bioimageit_test_model", inputs, outputs, initializers, doc_string=doc)
    model = helper.make_model(
        graph,
        producer_name="bioimageit-test-models",
        producer_version="1",
        opset_imports=[helper.make_opsetid("", OPSET)],
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


# --------------------------------------------------------------------------------------------
# processing as bioimage.io defines it (NumPy, float64)


def zero_mean_unit_variance(x, axes, eps=EPS):
    mean = x.mean(axis=axes, keepdims=True)
    std = x.std(axis=axes, keepdims=True)  # population std (ddof 0), as xarray's std
    return (x - mean) / (std + eps)


def scale_range(x, axes, min_percentile, max_percentile, eps=EPS):
    low = np.percentile(x, min_percentile, axis=axes, keepdims=True, method="linear")
    high = np.percentile(x, max_percentile, axis=axes, keepdims=True, method="linear")
    return (x - low) / (high - low + eps)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------------------------
# rdf helpers


def file_entry(folder, name):
    return {"source": name, "sha256": sha256(os.path.join(folder, name))}


def onnx_weights_05(folder):
    entry = file_entry(folder, "weights.onnx")
    entry["opset_version"] = OPSET
    return {"onnx": entry}


def config_05():
    return {"bioimageio": {"reproducibility_tolerance": [dict(TOLERANCE)]}}


def write_common(folder, model, test_input, test_output, cover_plane, documentation):
    os.makedirs(folder, exist_ok=True)
    onnx.save(model, os.path.join(folder, "weights.onnx"))
    np.save(os.path.join(folder, "test_input.npy"), test_input)
    np.save(os.path.join(folder, "test_output.npy"), test_output)
    write_png(os.path.join(folder, "cover.png"), to_cover(cover_plane))
    write_text(os.path.join(folder, "README.md"), documentation)


# --------------------------------------------------------------------------------------------
# a. unet3d-halo


def build_unet3d(out, out_v04):
    rng = np.random.RandomState(3001)
    features = 4
    layers = [
        ("conv", (rng.normal(0, 0.3, (features, 1, 3, 3, 3)).astype(np.float32), rng.normal(0, 0.1, features).astype(np.float32))),
        ("relu", None),
        (
            "conv",
            (
                rng.normal(0, 0.2, (features, features, 3, 3, 3)).astype(np.float32),
                rng.normal(0, 0.1, features).astype(np.float32),
            ),
        ),
        ("relu", None),
        ("conv", (np.array([1.0, -0.8, 0.6, -0.4], dtype=np.float32).reshape(1, features, 1, 1, 1), np.array([0.25], dtype=np.float32))),
    ]
    model = onnx_model(layers, "raw", "prediction", 3, 1, 1, "unet3d-halo: conv3 relu conv3 relu conv1, zero padded")

    # test input 1x1x12x24x32: smooth structures plus noise, offset and scaled like a camera image
    raw = ndimage.gaussian_filter(rng.normal(0, 1, (12, 24, 32)), 1.5) * 400 + rng.normal(0, 20, (12, 24, 32)) + 1000
    test_input = raw.astype(np.float32).reshape(1, 1, 12, 24, 32)
    normalized = zero_mean_unit_variance(test_input.astype(np.float64), axes=(1, 2, 3, 4)).astype(np.float32)
    test_output = run_reference(layers, normalized).astype(np.float32)

    documentation = """# unet3d-halo (BioImageIT test model)

A synthetic, untrained 3-D network for the tests of @bioimageit/model-zoo: two 3x3x3
convolutions (1 -> 4 -> 4 channels) each followed by ReLU, then a 1x1x1 convolution to one
channel; every convolution is zero padded ("same"), so the output has the input's size and its
outer 2 voxels in z, y and x depend on the padding: output halo 2.

- input `raw`: b, c (1 channel), z (min 8, step 4), y, x (min 16, step 8), float32;
  preprocessing zero_mean_unit_variance per sample (axes channel, z, y, x; eps 1e-6).
- output `prediction`: b, c, z, y, x, the input's sizes, halo 2 in z, y, x; no postprocessing.
- test tensors: 1x1x12x24x32; the test output is the whole test input in one pass.
"""
    write_common(out, model, test_input, test_output, test_output[0, 0, 6], documentation)
    space_in = lambda axis, minimum, step, scale: {
        "type": "space",
        "id": axis,
        "size": {"min": minimum, "step": step},
        "scale": scale,
        "unit": "micrometer",
    }
    space_out = lambda axis, scale: {
        "type": "space",
        "id": axis,
        "size": {"tensor_id": "raw", "axis_id": axis},
        "scale": scale,
        "unit": "micrometer",
        "halo": 2,
    }
    rdf = {
        "format_version": FORMAT_05,
        "type": "model",
        "id": "unet3d-halo",
        "name": "UNet3D halo test model",
        "version": "0.1.0",
        "description": "Synthetic 3-D test network: zero mean unit variance input, output halo 2 (BioImageIT tests)",
        "authors": AUTHORS,
        "maintainers": [{"name": "BioImageIT test suite", "github_user": "bioimageit"}],
        "cite": CITE,
        "license": "BSD-3-Clause",
        "tags": ["3d", "unet", "test", "bioimageit"],
        "covers": ["cover.png"],
        "documentation": "README.md",
        "timestamp": TIMESTAMP,
        "inputs": [
            {
                "id": "raw",
                "description": "raw 3-D image, one channel",
                "axes": [
                    {"type": "batch"},
                    {"type": "channel", "channel_names": ["raw"]},
                    space_in("z", 8, 4, 2.0),
                    space_in("y", 16, 8, 0.5),
                    space_in("x", 16, 8, 0.5),
                ],
                "test_tensor": file_entry(out, "test_input.npy"),
                "data": {"type": "float32"},
                "preprocessing": [{"id": "zero_mean_unit_variance", "kwargs": {"axes": ["channel", "z", "y", "x"]}}],
            }
        ],
        "outputs": [
            {
                "id": "prediction",
                "description": "prediction, same size as the input, 2 unreliable voxels at each border",
                "axes": [
                    {"type": "batch"},
                    {"type": "channel", "channel_names": ["prediction"]},
                    space_out("z", 2.0),
                    space_out("y", 0.5),
                    space_out("x", 0.5),
                ],
                "test_tensor": file_entry(out, "test_output.npy"),
                "data": {"type": "float32"},
            }
        ],
        "weights": onnx_weights_05(out),
        "config": config_05(),
    }
    write_yaml(os.path.join(out, "rdf.yaml"), rdf)

    # the same model as a 0.4 package
    os.makedirs(out_v04, exist_ok=True)
    for name in ("weights.onnx", "test_input.npy", "test_output.npy", "cover.png", "README.md"):
        shutil.copyfile(os.path.join(out, name), os.path.join(out_v04, name))
    rdf04 = {
        "format_version": FORMAT_04,
        "type": "model",
        "name": "UNet3D halo test model (format 0.4)",
        "description": "Synthetic 3-D test network: zero mean unit variance input, output halo 2 (BioImageIT tests)",
        "authors": AUTHORS,
        "maintainers": [{"name": "BioImageIT test suite", "github_user": "bioimageit"}],
        "cite": CITE,
        "license": "BSD-3-Clause",
        "tags": ["3d", "unet", "test", "bioimageit"],
        "covers": ["cover.png"],
        "documentation": "README.md",
        "timestamp": TIMESTAMP,
        "inputs": [
            {
                "name": "raw",
                "description": "raw 3-D image, one channel",
                "axes": "bczyx",
                "data_type": "float32",
                "shape": {"min": [1, 1, 8, 16, 16], "step": [0, 0, 4, 8, 8]},
                "preprocessing": [{"name": "zero_mean_unit_variance", "kwargs": {"mode": "per_sample", "axes": "czyx"}}],
            }
        ],
        "outputs": [
            {
                "name": "prediction",
                "description": "prediction, same size as the input, 2 unreliable voxels at each border",
                "axes": "bczyx",
                "data_type": "float32",
                "shape": {"reference_tensor": "raw", "scale": [1.0, 1.0, 1.0, 1.0, 1.0], "offset": [0, 0, 0, 0, 0]},
                "halo": [0, 0, 2, 2, 2],
            }
        ],
        "test_inputs": ["test_input.npy"],
        "test_outputs": ["test_output.npy"],
        "weights": {"onnx": dict(file_entry(out_v04, "weights.onnx"), opset_version=OPSET)},
    }
    write_yaml(os.path.join(out_v04, "rdf.yaml"), rdf04)


# --------------------------------------------------------------------------------------------
# b. two-channel-2d


TWO_CHANNEL_GAIN = [0.002, 0.001]
TWO_CHANNEL_OFFSET = [-1.0, -0.5]


def build_two_channel(out):
    rng = np.random.RandomState(3002)
    layers = [("conv", (rng.normal(0, 0.4, (1, 2, 3, 3)).astype(np.float32), np.array([0.1], dtype=np.float32)))]
    model = onnx_model(layers, "image", "probability", 2, 2, 1, "two-channel-2d: one 3x3 conv mixing 2 channels")

    nuclei = ndimage.gaussian_filter(rng.normal(0, 1, (64, 64)), 2.0) * 3000 + 1000
    membrane = ndimage.gaussian_filter(rng.normal(0, 1, (64, 64)), 1.0) * 2000 + 800
    stack = np.stack([nuclei, membrane]) + rng.normal(0, 30, (2, 64, 64))
    test_input = np.clip(np.round(stack), 0, 65535).astype(np.uint16).reshape(1, 2, 64, 64)

    gain = np.array(TWO_CHANNEL_GAIN).reshape(1, 2, 1, 1)
    offset = np.array(TWO_CHANNEL_OFFSET).reshape(1, 2, 1, 1)
    scaled = (test_input.astype(np.float64) * gain + offset).astype(np.float32)  # then ensure_dtype float32
    test_output = sigmoid(run_reference(layers, scaled)).astype(np.float32)

    documentation = """# two-channel-2d (BioImageIT test model)

A synthetic, untrained 2-D network for the tests of @bioimageit/model-zoo: one zero padded 3x3
convolution mixing two input channels into one, then a sigmoid (postprocessing).

- input `image`: b, c (2 channels: `nuclei`, `membrane`), y 64, x 64 (fixed), uint16;
  preprocessing scale_linear along the channel axis (gain [0.002, 0.001], offset [-1, -0.5]),
  then ensure_dtype float32.
- output `probability`: b, c (1 channel `foreground`), y, x (the input's sizes), halo 1;
  postprocessing sigmoid; float32 in (0, 1).
- test tensors: input 1x2x64x64 uint16, output 1x1x64x64 float32.
"""
    write_common(out, model, test_input, test_output, test_input[0, 0], documentation)
    rdf = {
        "format_version": FORMAT_05,
        "type": "model",
        "name": "Two channel 2D",
        "version": "0.2.0",
        "description": "Synthetic 2-D test network mixing two channels into a probability (BioImageIT tests)",
        "authors": AUTHORS,
        "cite": CITE,
        "license": "CC-BY-4.0",
        "tags": ["2d", "test", "bioimageit"],
        "covers": ["cover.png"],
        "documentation": "README.md",
        "timestamp": TIMESTAMP,
        "inputs": [
            {
                "id": "image",
                "description": "two-channel 16-bit image",
                "axes": [
                    {"type": "batch"},
                    {"type": "channel", "channel_names": ["nuclei", "membrane"]},
                    {"type": "space", "id": "y", "size": 64},
                    {"type": "space", "id": "x", "size": 64},
                ],
                "test_tensor": file_entry(out, "test_input.npy"),
                "data": {"type": "uint16"},
                "preprocessing": [
                    {
                        "id": "scale_linear",
                        "kwargs": {"axis": "channel", "gain": list(TWO_CHANNEL_GAIN), "offset": list(TWO_CHANNEL_OFFSET)},
                    },
                    {"id": "ensure_dtype", "kwargs": {"dtype": "float32"}},
                ],
            }
        ],
        "outputs": [
            {
                "id": "probability",
                "description": "foreground probability",
                "axes": [
                    {"type": "batch"},
                    {"type": "channel", "channel_names": ["foreground"]},
                    {"type": "space", "id": "y", "size": {"tensor_id": "image", "axis_id": "y"}, "halo": 1},
                    {"type": "space", "id": "x", "size": {"tensor_id": "image", "axis_id": "x"}, "halo": 1},
                ],
                "test_tensor": file_entry(out, "test_output.npy"),
                "data": {"type": "float32", "range": [0.0, 1.0]},
                "postprocessing": [{"id": "sigmoid"}],
            }
        ],
        "weights": onnx_weights_05(out),
        "config": config_05(),
    }
    write_yaml(os.path.join(out, "rdf.yaml"), rdf)
    return rdf


# --------------------------------------------------------------------------------------------
# c. percentile-2d

BLOBS = [(18, 20), (22, 70), (50, 45), (74, 16), (76, 76)]
THRESHOLD = 0.5
MARGIN = 2e-3  # no value before binarize lies closer than this to the threshold


def build_percentile(out):
    rng = np.random.RandomState(3003)
    size = 96
    yy, xx = np.mgrid[0:size, 0:size]
    image = rng.normal(20, 5, (size, size))
    for y, x in BLOBS:
        image += 160 * np.exp(-((yy - y) ** 2 + (xx - x) ** 2) / (2 * 3.0**2))
    test_input = np.clip(np.round(image), 0, 255).astype(np.uint8).reshape(1, 1, size, size)

    normalized = scale_range(test_input.astype(np.float64), (2, 3), 1.0, 99.8).astype(np.float32)
    kernel = np.exp(-((np.mgrid[-2:3, -2:3] ** 2).sum(axis=0)) / (2 * 1.0**2))
    kernel = (kernel / kernel.sum()).astype(np.float32).reshape(1, 1, 5, 5)
    for bias in np.linspace(0.0, -0.05, 51):
        layers = [("conv", (kernel, np.array([bias], dtype=np.float32)))]
        smooth = run_reference(layers, normalized)
        clipped = np.clip(smooth, 0.0, 1.0)
        if np.abs(clipped - THRESHOLD).min() < MARGIN:
            continue
        mask = (clipped > THRESHOLD).astype(np.uint8)
        count = ndimage.label(mask[0, 0])[1]
        if count == len(BLOBS):
            break
    else:
        raise RuntimeError("percentile-2d: no bias gives a clear mask")
    test_output = mask
    model = onnx_model(layers, "raw", "mask", 2, 1, 1, "percentile-2d: 5x5 gaussian smoothing")

    documentation = f"""# percentile-2d (BioImageIT test model)

A synthetic 2-D network for the tests of @bioimageit/model-zoo: a zero padded 5x5 Gaussian
smoothing (sigma 1) with a small bias; the normalized input has {len(BLOBS)} bright blobs on
noise, which the postprocessing turns into a mask of {len(BLOBS)} objects.

- input `raw`: b, c (1 channel `intensity`), y, x (min 32, step 16), uint8; preprocessing
  scale_range per sample (axes y, x; percentiles 1 and 99.8, numpy 'linear'; eps 1e-6),
  then ensure_dtype float32.
- output `mask`: b, c (1 channel `objects`), y, x (the input's sizes), halo 2; postprocessing
  clip [0, 1], binarize (threshold 0.5: value > 0.5 gives 1), ensure_dtype uint8.
- test tensors: input 1x1x96x96 uint8, output 1x1x96x96 uint8 with {len(BLOBS)} connected objects.
"""
    write_common(out, model, test_input, test_output, test_input[0, 0], documentation)
    rdf = {
        "format_version": FORMAT_05,
        "type": "model",
        "id": "percentile-2d",
        "name": "Percentile 2D blobs",
        "version": "1.0.0",
        "description": "Synthetic 2-D test network: percentile normalization, smoothing, mask of bright objects (BioImageIT tests)",
        "authors": AUTHORS,
        "cite": CITE,
        "license": "MIT",
        "tags": ["2d", "segmentation", "test", "bioimageit"],
        "covers": ["cover.png"],
        "documentation": "README.md",
        "timestamp": TIMESTAMP,
        "inputs": [
            {
                "id": "raw",
                "description": "8-bit image with bright objects",
                "axes": [
                    {"type": "batch"},
                    {"type": "channel", "channel_names": ["intensity"]},
                    {"type": "space", "id": "y", "size": {"min": 32, "step": 16}},
                    {"type": "space", "id": "x", "size": {"min": 32, "step": 16}},
                ],
                "test_tensor": file_entry(out, "test_input.npy"),
                "data": {"type": "uint8"},
                "preprocessing": [
                    {"id": "scale_range", "kwargs": {"axes": ["y", "x"], "min_percentile": 1.0, "max_percentile": 99.8}},
                    {"id": "ensure_dtype", "kwargs": {"dtype": "float32"}},
                ],
            }
        ],
        "outputs": [
            {
                "id": "mask",
                "description": "binary mask of the bright objects",
                "axes": [
                    {"type": "batch"},
                    {"type": "channel", "channel_names": ["objects"]},
                    {"type": "space", "id": "y", "size": {"tensor_id": "raw", "axis_id": "y"}, "halo": 2},
                    {"type": "space", "id": "x", "size": {"tensor_id": "raw", "axis_id": "x"}, "halo": 2},
                ],
                "test_tensor": file_entry(out, "test_output.npy"),
                "data": {"type": "uint8", "range": [0, 1]},
                "postprocessing": [
                    {"id": "clip", "kwargs": {"min": 0.0, "max": 1.0}},
                    {"id": "binarize", "kwargs": {"threshold": THRESHOLD}},
                    {"id": "ensure_dtype", "kwargs": {"dtype": "uint8"}},
                ],
            }
        ],
        "weights": onnx_weights_05(out),
        "config": config_05(),
    }
    write_yaml(os.path.join(out, "rdf.yaml"), rdf)
    return len(BLOBS)


# --------------------------------------------------------------------------------------------
# bad packages


def copy_package(source, target):
    if os.path.exists(target):
        shutil.rmtree(target)
    shutil.copytree(source, target)


def read_rdf(folder):
    with open(os.path.join(folder, "rdf.yaml"), encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def build_bad(good, bad):
    """Broken variants of two-channel-2d; returns {name: what a reader or tester should report}."""
    base = os.path.join(good, "two-channel-2d")
    expected = {}

    def variant(name, why):
        folder = os.path.join(bad, name)
        copy_package(base, folder)
        expected[name] = why
        return folder, read_rdf(folder)

    folder, rdf = variant("missing-weights", "the weights file weights.onnx named by the rdf does not exist")
    os.remove(os.path.join(folder, "weights.onnx"))

    folder, rdf = variant("wrong-sha256", "the sha256 of weights.onnx differs from the rdf's")
    rdf["weights"]["onnx"]["sha256"] = "0" * 64
    write_yaml(os.path.join(folder, "rdf.yaml"), rdf)

    folder, rdf = variant("unknown-preprocessing", "preprocessing id 'magic_normalize' is not a bioimage.io processing")
    rdf["inputs"][0]["preprocessing"][0] = {"id": "magic_normalize", "kwargs": {"strength": 2}}
    write_yaml(os.path.join(folder, "rdf.yaml"), rdf)

    folder, rdf = variant(
        "test-tensor-shape-mismatch", "test_input.npy has 3 channels and 48x48 (1x3x48x48) where the rdf says 2 channels, 64x64"
    )
    np.save(os.path.join(folder, "test_input.npy"), np.zeros((1, 3, 48, 48), dtype=np.uint16))
    rdf["inputs"][0]["test_tensor"] = file_entry(folder, "test_input.npy")
    write_yaml(os.path.join(folder, "rdf.yaml"), rdf)

    folder, rdf = variant("unknown-axis-reference", "output axis y references tensor 'nonexistent', which is not an input")
    rdf["outputs"][0]["axes"][2]["size"] = {"tensor_id": "nonexistent", "axis_id": "y"}
    write_yaml(os.path.join(folder, "rdf.yaml"), rdf)

    folder, rdf = variant("wrong-test-output", "the test output is not reproduced: every value is off by 0.25")
    wrong = np.load(os.path.join(folder, "test_output.npy"))
    wrong = (wrong + np.float32(0.25)).astype(np.float32)
    np.save(os.path.join(folder, "test_output.npy"), wrong)
    rdf["outputs"][0]["test_tensor"] = file_entry(folder, "test_output.npy")
    write_yaml(os.path.join(folder, "rdf.yaml"), rdf)

    folder, rdf = variant("malformed-yaml", "rdf.yaml is not valid YAML")
    with open(os.path.join(folder, "rdf.yaml"), "a", encoding="utf-8") as stream:
        stream.write("inputs: [\n  - id: broken\n    axes: {type: batch\n")

    folder, rdf = variant("torchscript-only", "the only weights are torchscript (weights.pt, a dummy file): no supported format")
    os.remove(os.path.join(folder, "weights.onnx"))
    write_text(os.path.join(folder, "weights.pt"), "not a torchscript archive\n")
    rdf["weights"] = {"torchscript": dict(file_entry(folder, "weights.pt"), pytorch_version="2.1")}
    write_yaml(os.path.join(folder, "rdf.yaml"), rdf)

    return expected


# --------------------------------------------------------------------------------------------


def build_good(out):
    os.makedirs(out, exist_ok=True)
    build_unet3d(os.path.join(out, "unet3d-halo"), os.path.join(out, "unet3d-halo-v0_4"))
    build_two_channel(os.path.join(out, "two-channel-2d"))
    objects = build_percentile(os.path.join(out, "percentile-2d"))
    return {
        "unet3d-halo": {"folder": "unet3d-halo", "formatVersion": FORMAT_05},
        "unet3d-halo-v0_4": {"folder": "unet3d-halo-v0_4", "formatVersion": FORMAT_04},
        "two-channel-2d": {"folder": "two-channel-2d", "formatVersion": FORMAT_05},
        "percentile-2d": {"folder": "percentile-2d", "formatVersion": FORMAT_05, "objects": objects},
    }


def main(argv):
    parser = argparse.ArgumentParser(description="Builds the model-zoo test packages.")
    parser.add_argument("out", nargs="?", help="folder for the good packages")
    parser.add_argument("--bad", help="folder for the broken packages")
    args = parser.parse_args(argv)
    if args.out is None and args.bad is None:
        parser.error("give an output folder, --bad DIR or both")

    good = args.out
    scratch = None
    if good is None:
        scratch = os.path.join(args.bad, ".good")
        good = scratch
    models = build_good(good)
    if args.out is not None:
        with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as stream:
            json.dump({"models": models}, stream, indent=2)
    if args.bad is not None:
        os.makedirs(args.bad, exist_ok=True)
        bad = build_bad(good, args.bad)
        with open(os.path.join(args.bad, "manifest.json"), "w", encoding="utf-8") as stream:
            json.dump({"bad": bad}, stream, indent=2)
    if scratch is not None:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main(sys.argv[1:])
