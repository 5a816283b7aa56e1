#!/usr/bin/env python3
"""Checks model packages written by build-test-models.py; prints a JSON report on stdout.

Usage: check-test-models.py PACKAGE_DIR...

For each package: rdf.yaml parses (format 0.4 or 0.5); every file it names exists and has the
sha256 it gives; the ONNX weights pass onnx.checker and their graph inputs/outputs are the rdf's
tensors; the test tensors fit the rdf's axes; and an independent float32 interpreter (the rdf's
processing steps read from the rdf, the graph's Conv/Relu nodes through scipy.ndimage) reproduces
the test outputs within the rdf's tolerance. Never raises for a broken package: the report lists
its `errors` (strings starting with a stable code such as `yaml:`, `missing:`, `sha256:`).
"""

import hashlib
import json
import os
import sys

import numpy as np
import onnx
import yaml
from onnx import numpy_helper
from scipy import ndimage

KNOWN_PROCESSING = {
    "binarize",
    "clip",
    "ensure_dtype",
    "fixed_zero_mean_unit_variance",
    "scale_linear",
    "scale_mean_variance",
    "scale_range",
    "sigmoid",
    "zero_mean_unit_variance",
}
LETTERS = {"b": "batch", "c": "channel", "i": "index", "t": "time"}


def sha256(path):
    with open(path, "rb") as stream:
        return hashlib.sha256(stream.read()).hexdigest()


def axes_of(tensor):
    """[(id, type, size, halo)] in 0.5 terms; a 0.4 axes string maps letter by letter."""
    axes = tensor["axes"]
    if isinstance(axes, str):
        shape = tensor["shape"]
        halo = tensor.get("halo") or [0] * len(axes)
        result = []
        for index, letter in enumerate(axes):
            kind = {"b": "batch", "c": "channel", "i": "index", "t": "time"}.get(letter, "space")
            if isinstance(shape, list):
                size = shape[index]
            elif "reference_tensor" in shape:
                size = {"tensor_id": shape["reference_tensor"], "axis_id": LETTERS.get(letter, letter), "scale": shape["scale"][index], "offset": shape["offset"][index]}
            else:
                size = {"min": shape["min"][index], "step": shape["step"][index]}
            result.append((LETTERS.get(letter, letter), kind, size, halo[index]))
        return result
    result = []
    for axis in axes:
        kind = axis["type"]
        default = {"batch": "batch", "channel": "channel", "index": "index", "time": "time"}.get(kind, "x")
        size = 1 if kind == "batch" else len(axis["channel_names"]) if kind == "channel" else axis.get("size")
        result.append((axis.get("id", default), kind, size, axis.get("halo", 0)))
    return result


def steps_of(tensor, key):
    return [(step.get("id", step.get("name")), step.get("kwargs") or {}) for step in tensor.get(key) or []]


def reduce_axes(kwargs, axis_ids):
    axes = kwargs.get("axes")
    if axes is None:
        return tuple(range(len(axis_ids)))
    names = [LETTERS.get(a, a) for a in axes] if isinstance(axes, str) else list(axes)
    return tuple(axis_ids.index(name) for name in names)


def apply_steps(x, steps, axis_ids):
    for name, kwargs in steps:
        if name == "zero_mean_unit_variance":
            axes = reduce_axes(kwargs, axis_ids)
            x = x.astype(np.float64)
            x = (x - x.mean(axis=axes, keepdims=True)) / (x.std(axis=axes, keepdims=True) + kwargs.get("eps", 1e-6))
        elif name == "scale_range":
            axes = reduce_axes(kwargs, axis_ids)
            x = x.astype(np.float64)
            low = np.percentile(x, kwargs.get("min_percentile", 0.0), axis=axes, keepdims=True)
            high = np.percentile(x, kwargs.get("max_percentile", 100.0), axis=axes, keepdims=True)
            x = (x - low) / (high - low + kwargs.get("eps", 1e-6))
        elif name == "scale_linear":
            gain, offset = np.asarray(kwargs.get("gain", 1.0)), np.asarray(kwargs.get("offset", 0.0))
            if "axis" in kwargs:
                shape = [1] * x.ndim
                shape[axis_ids.index(kwargs["axis"])] = -1
                gain, offset = gain.reshape(shape), offset.reshape(shape)
            x = x.astype(np.float64) * gain + offset
        elif name == "ensure_dtype":
            x = x.astype(kwargs["dtype"])
        elif name == "sigmoid":
            x = 1.0 / (1.0 + np.exp(-x.astype(np.float64)))
        elif name == "clip":
            x = np.clip(x, kwargs.get("min"), kwargs.get("max"))
        elif name == "binarize":
            x = x > kwargs["threshold"]
        else:
            raise ValueError(f"processing: no interpreter for '{name}'")
    return x


def run_graph(model, feed):
    """Conv and Relu nodes in float32 through scipy.ndimage.correlate (zero padding)."""
    values = dict(feed)
    for init in model.graph.initializer:
        values[init.name] = numpy_helper.to_array(init).astype(np.float32)
    for node in model.graph.node:
        if node.op_type == "Relu":
            values[node.output[0]] = np.maximum(values[node.input[0]], np.float32(0))
        elif node.op_type == "Conv":
            x, w = values[node.input[0]], values[node.input[1]]
            b = values[node.input[2]] if len(node.input) > 2 else np.zeros(w.shape[0], np.float32)
            out = np.zeros((x.shape[0], w.shape[0]) + x.shape[2:], dtype=np.float32)
            for n in range(x.shape[0]):
                for o in range(w.shape[0]):
                    for c in range(w.shape[1]):
                        out[n, o] += ndimage.correlate(x[n, c], w[o, c], mode="constant", cval=0.0)
                    out[n, o] += b[o]
            values[node.output[0]] = out
        else:
            raise ValueError(f"onnx: no interpreter for op {node.op_type}")
    return values


def check_package(folder):
    report = {"folder": folder, "errors": [], "files": {}}
    errors = report["errors"]
    try:
        with open(os.path.join(folder, "rdf.yaml"), encoding="utf-8") as stream:
            rdf = yaml.safe_load(stream)
    except yaml.YAMLError as error:
        errors.append(f"yaml: {str(error).splitlines()[0]}")
        return report
    report["formatVersion"] = str(rdf["format_version"])
    v05 = report["formatVersion"].startswith("0.5")

    def named(source, digest=None):
        path = os.path.join(folder, source)
        if not os.path.isfile(path):
            errors.append(f"missing: {source}")
            return None
        actual = sha256(path)
        report["files"][source] = actual
        if digest is not None and digest != actual:
            errors.append(f"sha256: {source}")
        return path

    for cover in rdf.get("covers", []):
        named(cover)
    named(rdf["documentation"])
    inputs, outputs = rdf["inputs"], rdf["outputs"]
    if v05:
        test_in = [named(t["test_tensor"]["source"], t["test_tensor"].get("sha256")) for t in inputs]
        test_out = [named(t["test_tensor"]["source"], t["test_tensor"].get("sha256")) for t in outputs]
    else:
        test_in = [named(source) for source in rdf["test_inputs"]]
        test_out = [named(source) for source in rdf["test_outputs"]]
    model = None
    for fmt, entry in rdf["weights"].items():
        path = named(entry["source"], entry.get("sha256"))
        if fmt == "onnx" and path is not None:
            model = onnx.load(path)
            try:
                onnx.checker.check_model(model)
            except onnx.checker.ValidationError as error:
                errors.append(f"onnx: {error}")
    if "onnx" not in rdf["weights"]:
        errors.append("weights: no onnx weights")

    ids = {t.get("id", t.get("name")): t for t in inputs}
    for tensor in inputs + outputs:
        for step, _ in steps_of(tensor, "preprocessing") + steps_of(tensor, "postprocessing"):
            if step not in KNOWN_PROCESSING:
                errors.append(f"processing: unknown '{step}'")
        for axis_id, _, size, _ in axes_of(tensor):
            if isinstance(size, dict) and "tensor_id" in size and size["tensor_id"] not in ids:
                errors.append(f"reference: axis {axis_id} references unknown tensor '{size['tensor_id']}'")
    if errors or model is None or None in test_in or None in test_out:
        return report

    arrays = {}
    for tensor, path in zip(inputs, test_in):
        array = np.load(path)
        arrays[tensor.get("id", tensor.get("name"))] = array
        axes = axes_of(tensor)
        if array.ndim != len(axes):
            errors.append(f"shape: test input {os.path.basename(path)} has {array.ndim} axes, the rdf {len(axes)}")
            continue
        for length, (axis_id, _, size, _) in zip(array.shape, axes):
            fits = length == size if isinstance(size, int) else length >= size["min"] and (length - size["min"]) % max(size["step"], 1) == 0
            if not fits:
                errors.append(f"shape: test input axis {axis_id} has size {length}, the rdf {size}")
    if errors:
        return report

    graph_inputs = [i.name for i in model.graph.input if i.name not in {init.name for init in model.graph.initializer}]
    graph_outputs = [o.name for o in model.graph.output]
    if graph_inputs != list(ids) or graph_outputs != [t.get("id", t.get("name")) for t in outputs]:
        errors.append(f"onnx: graph inputs {graph_inputs} / outputs {graph_outputs} are not the rdf's tensors")
        return report

    feed = {}
    for tensor in inputs:
        tid = tensor.get("id", tensor.get("name"))
        axis_ids = [a[0] for a in axes_of(tensor)]
        feed[tid] = apply_steps(arrays[tid], steps_of(tensor, "preprocessing"), axis_ids).astype(np.float32)
    values = run_graph(model, feed)

    # the halo suffices: a block cut `halo` inside the input, its own halo cropped, equals the whole run
    report["haloMaxDiff"] = {}
    if len(inputs) == 1:
        (tid_in,) = feed
        for tensor in outputs:
            tid = tensor.get("id", tensor.get("name"))
            halos = [axis[3] for axis in axes_of(tensor)]
            if not any(halos):
                continue
            inner = tuple(slice(h, n - h) for h, n in zip(halos, feed[tid_in].shape))
            block = run_graph(model, {tid_in: np.ascontiguousarray(feed[tid_in][inner])})[tid]
            cropped = block[tuple(slice(h, n - h) for h, n in zip(halos, block.shape))]
            whole = values[tid][tuple(slice(2 * h, n - 2 * h) for h, n in zip(halos, values[tid].shape))]
            report["haloMaxDiff"][tid] = float(np.abs(cropped - whole).max())

    tolerance = {"relative_tolerance": 1e-4, "absolute_tolerance": 1e-4, "mismatched_elements_per_million": 0}
    if v05:
        for entry in ((rdf.get("config") or {}).get("bioimageio") or {}).get("reproducibility_tolerance") or []:
            tolerance.update(entry)
            break
    report["tolerance"] = tolerance
    report["maxAbsDiff"] = {}
    for tensor, path in zip(outputs, test_out):
        tid = tensor.get("id", tensor.get("name"))
        axis_ids = [a[0] for a in axes_of(tensor)]
        actual = apply_steps(values[tid], steps_of(tensor, "postprocessing"), axis_ids)
        expected = np.load(path)
        if actual.shape != expected.shape:
            errors.append(f"shape: output {tid} is {list(actual.shape)}, the test output {list(expected.shape)}")
            continue
        a, e = actual.astype(np.float64), expected.astype(np.float64)
        difference = np.abs(a - e)
        report["maxAbsDiff"][tid] = float(difference.max())
        report["dtype"] = {**report.get("dtype", {}), tid: str(expected.dtype)}
        bad = int((difference > tolerance["absolute_tolerance"] + tolerance["relative_tolerance"] * np.abs(e)).sum())
        if bad > tolerance["mismatched_elements_per_million"] * e.size / 1e6:
            errors.append(f"reproduce: output {tid} differs in {bad} of {e.size} elements (max {difference.max():.3g})")
    return report


def main(folders):
    json.dump([check_package(folder) for folder in folders], sys.stdout, indent=2)


if __name__ == "__main__":
    main(sys.argv[1:])
