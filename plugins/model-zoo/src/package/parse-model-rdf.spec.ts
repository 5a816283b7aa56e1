import { ToolError } from '@bioimageit/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AxisDescription, TensorDescription } from '../model-description.js';
import { axisKey } from '../processing/axis-reference.js';
import { buildTestModels, pythonOnnxMissing, type TestModels } from '../test-support/test-models.js';
import { parseModelRdf, readModelRdf } from './parse-model-rdf.js';

function rdfErrorOf(text: string, file = 'rdf.yaml'): ToolError {
  try {
    parseModelRdf(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ToolError);
    return error as ToolError;
  }
  throw new Error('expected parseModelRdf to throw');
}

const V05 = `format_version: 0.5.3
type: model
name: Tiny 2D
description: tiny
license: MIT
authors: [{ name: A. Author, github_user: aa }]
cite: [{ text: A paper, doi: 10.1000/xyz }]
inputs:
  - id: raw
    axes:
      - type: batch
      - type: channel
        channel_names: [a]
      - { type: space, id: y, size: { min: 16, step: 8 }, scale: 0.5 }
      - { type: space, id: x, size: 32 }
    test_tensor: { source: in.npy }
    preprocessing:
      - id: zero_mean_unit_variance
        kwargs: { axes: [y, x] }
outputs:
  - id: out
    axes:
      - type: batch
      - { type: channel, channel_names: [p, q] }
      - { type: space, id: y, size: { tensor_id: raw, axis_id: y, offset: -2 }, scale: 0.25, halo: 4 }
      - { type: space, id: x, size: { tensor_id: raw, axis_id: x } }
    test_tensor: { source: out.npy }
    data: { type: uint8 }
weights:
  onnx: { source: w.onnx, opset_version: 17 }
  torchscript: { source: w.pt, pytorch_version: "2.1" }
`;

const V04 = `format_version: 0.4.10
type: model
name: Tiny 2D (0.4)
description: tiny
license: MIT
authors: [{ name: A. Author }]
cite: [{ text: A paper, url: https://example.org }]
test_inputs: [in.npy]
test_outputs: [out.npy]
inputs:
  - name: raw
    axes: byxc
    data_type: uint8
    shape: { min: [1, 16, 16, 1], step: [0, 8, 0, 0] }
    preprocessing:
      - name: scale_range
        kwargs: { mode: per_sample, axes: xy, min_percentile: 1, max_percentile: 99 }
outputs:
  - name: out
    axes: bcyx
    data_type: float32
    shape: { reference_tensor: raw, scale: [1, 2, 0.5, 1], offset: [0, 0, 4, 0] }
    halo: [0, 0, 8, 0]
weights:
  pytorch_script: { source: w.pt }
  onnx: { source: w.onnx, sha256: ${'AB'.repeat(32)}, opset_version: 11 }
config: { bioimageio: { nickname: tiny-shark } }
`;

describe('parseModelRdf: format 0.5', () => {
  const d = parseModelRdf(V05, 'rdf.yaml', { testTensorDType: (p) => (p === 'in.npy' ? 'uint16' : undefined) });

  it('reads the metadata and slugs the name when there is no id', () => {
    expect(d).toMatchObject({ formatVersion: '0.5.3', id: 'tiny-2d', name: 'Tiny 2D', version: '0', license: 'MIT', tags: [], covers: [] });
    expect(d.authors).toEqual([{ name: 'A. Author', githubUser: 'aa' }]);
    expect(d.cite).toEqual([{ text: 'A paper', doi: '10.1000/xyz' }]);
    expect(d.tolerance).toEqual({ relative: 1e-4, absolute: 1e-4, mismatchedElementsPerMillion: 0 });
    expect(d.weights).toEqual([
      { format: 'onnx', source: 'w.onnx', version: '17' },
      { format: 'torchscript', source: 'w.pt', version: '2.1' },
    ]);
  });

  it('normalizes axes, sizes (references scaled by the physical scales) and halos', () => {
    expect(d.inputs[0]!.axes).toEqual([
      { id: 'b', type: 'batch', size: 1 },
      { id: 'c', type: 'channel', size: 1, channelNames: ['a'] },
      { id: 'y', type: 'space', scale: 0.5, size: { min: 16, step: 8 } },
      { id: 'x', type: 'space', size: 32 },
    ]);
    expect(d.outputs[0]!.axes[2]).toEqual({
      id: 'y',
      type: 'space',
      scale: 0.25,
      halo: 4,
      size: { reference: { tensor: 'raw', axis: 'y' }, scale: 2, offset: -2 },
    });
    expect(d.outputs[0]!.axes[3]!.size).toEqual({ reference: { tensor: 'raw', axis: 'x' }, scale: 1, offset: 0 });
    expect(d.outputs[0]!.axes[1]!.size).toBe(2);
  });

  it("takes the data type from data.type, else the test tensor's dtype, and adds the spec's implicit casts", () => {
    expect(d.inputs[0]!.dataType).toBe('uint16');
    expect(d.inputs[0]!.preprocessing).toEqual([
      { id: 'ensure_dtype', kwargs: { dtype: 'uint16' } },
      { id: 'zero_mean_unit_variance', kwargs: { axes: ['y', 'x'] } },
      { id: 'ensure_dtype', kwargs: { dtype: 'uint16' } },
    ]);
    expect(d.outputs[0]!.dataType).toBe('uint8');
    expect(d.outputs[0]!.postprocessing).toEqual([{ id: 'ensure_dtype', kwargs: { dtype: 'uint8' } }]);
    expect(parseModelRdf(V05, 'rdf.yaml').inputs[0]!.dataType).toBe('float32');
  });

  it('lists the files the rdf names with their fields', () => {
    const { files } = readModelRdf(V05, 'rdf.yaml');
    expect(files.map((f) => [f.kind, f.field, f.path])).toEqual([
      ['test_tensor', 'inputs[0].test_tensor.source', 'in.npy'],
      ['test_tensor', 'outputs[0].test_tensor.source', 'out.npy'],
      ['weights', 'weights.onnx.source', 'w.onnx'],
      ['weights', 'weights.torchscript.source', 'w.pt'],
    ]);
  });

  it('reads the reproducibility tolerance that applies to all outputs', () => {
    const text = `${V05}config:\n  bioimageio:\n    reproducibility_tolerance:\n      - { output_ids: [out], relative_tolerance: 0.5 }\n      - { relative_tolerance: 0.01, absolute_tolerance: 0.002, mismatched_elements_per_million: 3 }\n`;
    expect(parseModelRdf(text, 'rdf.yaml').tolerance).toEqual({ relative: 0.01, absolute: 0.002, mismatchedElementsPerMillion: 3 });
  });
});

describe('parseModelRdf: format 0.4', () => {
  const d = parseModelRdf(V04, 'rdf.yaml');

  it('maps axis letters, min/step, reference scale/offset (offset doubled) and halo', () => {
    const input = d.inputs[0]!;
    expect(input.axes.map((a) => [a.id, a.type, a.size])).toEqual([
      ['b', 'batch', 1],
      ['y', 'space', { min: 16, step: 8 }],
      ['x', 'space', 16],
      ['c', 'channel', 1],
    ]);
    expect(d.outputs[0]!.axes).toEqual([
      { id: 'b', type: 'batch', size: 1 },
      { id: 'c', type: 'channel', size: 2 },
      { id: 'y', type: 'space', size: { reference: { tensor: 'raw', axis: 'y' }, scale: 0.5, offset: 8 }, halo: 8 },
      { id: 'x', type: 'space', size: { reference: { tensor: 'raw', axis: 'x' }, scale: 1, offset: 0 } },
    ]);
  });

  it("renames processing, keeps kwargs, and adds bioimageio.core's casts", () => {
    expect(d.inputs[0]!.dataType).toBe('uint8');
    expect(d.inputs[0]!.preprocessing).toEqual([
      { id: 'ensure_dtype', kwargs: { dtype: 'uint8' } },
      { id: 'scale_range', kwargs: { mode: 'per_sample', axes: 'xy', min_percentile: 1, max_percentile: 99 } },
      { id: 'ensure_dtype', kwargs: { dtype: 'float32' } },
    ]);
    expect(d.outputs[0]!.postprocessing).toEqual([{ id: 'ensure_dtype', kwargs: { dtype: 'float32' } }]);
  });

  it('takes the zoo nickname as id, reads test_inputs/test_outputs, pytorch_script as torchscript, lower-cases sha256', () => {
    expect(d.id).toBe('tiny-shark');
    expect(d.inputs[0]!.testTensor).toBe('in.npy');
    expect(d.outputs[0]!.testTensor).toBe('out.npy');
    expect(d.weights.map((w) => w.format)).toEqual(['torchscript', 'onnx']);
    expect(d.weights[1]!.sha256).toBe('ab'.repeat(32));
  });
});

describe('parseModelRdf errors', () => {
  it('refuses other format versions and other resource types', () => {
    const e = rdfErrorOf(V05.replace('0.5.3', '0.3.6').replace('type: model', 'type: dataset'));
    expect(e.code).toBe('BAD_MANIFEST');
    expect(e.message).toContain("type: is 'dataset'");
    expect(e.message).toContain("format_version: format version '0.3.6' is not supported (supported: 0.4.x and 0.5.x)");
  });

  it('names the file and the line of a YAML syntax error', () => {
    const e = rdfErrorOf('format_version: 0.5.3\ntype: model\ninputs: [\n  - id: x\n', 'models/m/rdf.yaml');
    expect(e.message).toMatch(/^models\/m\/rdf\.yaml: (\d+ problems: )?line \d+: not valid YAML/);
    expect(e.details).toMatchObject({ file: 'models/m/rdf.yaml', line: expect.any(Number) });
  });

  it('reports every problem in one error, each with its field path and line', () => {
    const text = V05.replace('step: 8', 'step: 0').replace('id: zero_mean_unit_variance', 'id: softmax').replace('axis_id: x', 'axis_id: q');
    const e = rdfErrorOf(text);
    expect(e.message).toMatch(/^rdf\.yaml: 3 problems: /);
    expect(e.message).toContain('inputs[0].axes[2].size.step: must be at least 1, not 0');
    expect(e.message).toContain("inputs[0].preprocessing[0].id: preprocessing 'softmax' is not supported by this installation");
    expect(e.message).toContain("outputs[0].axes[3].size.axis_id: output axis x references axis 'q', which tensor 'raw' does not have (batch, channel, y, x)");
    expect(e.details).toMatchObject({ field: 'inputs[0].axes[2].size.step', line: 14 });
  });

  it('names missing and mistyped fields', () => {
    const e = rdfErrorOf(V04.replace('    data_type: uint8\n', '').replace('axes: bcyx', 'axes: bcyq').replace('name: Tiny 2D (0.4)', 'name: [1]'));
    expect(e.message).toContain('name: must be a string, not a list');
    expect(e.message).toContain('inputs[0].data_type: missing');
    expect(e.message).toContain("outputs[0].axes: unknown axis 'q'");
  });

  it('refuses a reference to an unknown tensor and data-dependent output sizes', () => {
    const e = rdfErrorOf(
      V05.replace('tensor_id: raw, axis_id: y', 'tensor_id: nope, axis_id: y').replace('size: { tensor_id: raw, axis_id: x }', 'size: { min: 1 }'),
    );
    expect(e.message).toContain(
      "outputs[0].axes[2].size.tensor_id: output axis y references tensor 'nope', which is not an input or output of this model (inputs: raw; outputs: out)",
    );
    expect(e.message).toContain('outputs[0].axes[3].size: data-dependent output sizes are not supported by this installation');
  });
});

const skip = pythonOnnxMissing(import.meta.url);

describe.skipIf(skip)('parseModelRdf on the test packages', () => {
  let dir: string;
  let built: TestModels & { readonly bad: Readonly<Record<string, string>> };
  const rdf = (folder: string): string => path.join(folder, 'rdf.yaml');
  const parse = (folder: string) => parseModelRdf(readFileSync(rdf(folder), 'utf8'), rdf(folder));

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'model-zoo-rdf-'));
    built = buildTestModels(dir, { bad: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads unet3d-halo (0.5) and its 0.4 twin into the same description where the formats overlap', () => {
    const v5 = parse(built.models['unet3d-halo']);
    const v4 = parse(built.models['unet3d-halo-v0_4']);
    expect(v5.formatVersion).toBe('0.5.4');
    expect(v4.formatVersion).toBe('0.4.10');
    expect(v5.id).toBe('unet3d-halo');
    const axisView = (a: AxisDescription) => ({ id: a.id, type: a.type, size: a.size, halo: a.halo });
    const stepView = (t: TensorDescription) =>
      [...t.preprocessing, ...t.postprocessing].map((s) => ({
        id: s.id,
        dtype: s.kwargs['dtype'],
        axes: s.kwargs['axes'] === undefined ? undefined : [...(s.kwargs['axes'] as Iterable<string>)].map(axisKey).sort(),
      }));
    const tensorView = (t: TensorDescription) => ({ id: t.id, dataType: t.dataType, testTensor: t.testTensor, axes: t.axes.map(axisView), steps: stepView(t) });
    for (const k of ['inputs', 'outputs'] as const) expect(v4[k].map(tensorView)).toEqual(v5[k].map(tensorView));
    for (const k of ['description', 'authors', 'license', 'cite', 'tags', 'covers', 'documentation', 'weights', 'tolerance'] as const)
      expect(v4[k]).toEqual(v5[k]);
    expect(v5.outputs[0]!.axes.slice(2).map((a) => a.halo)).toEqual([2, 2, 2]);
    expect(v5.inputs[0]!.preprocessing.map((s) => s.id)).toEqual(['ensure_dtype', 'zero_mean_unit_variance', 'ensure_dtype']);
  });

  it('reads the other good packages', () => {
    const two = parse(built.models['two-channel-2d']);
    expect(two.id).toBe('two-channel-2d');
    expect(two.inputs[0]!.axes[1]).toEqual({ id: 'c', type: 'channel', size: 2, channelNames: ['nuclei', 'membrane'] });
    const pct = parse(built.models['percentile-2d']);
    expect(pct.outputs[0]!.postprocessing.map((s) => s.id)).toEqual(['clip', 'binarize', 'ensure_dtype']);
    expect(pct.outputs[0]!.dataType).toBe('uint8');
  });

  it('names the field of an unknown preprocessing id', () => {
    expect(() => parse(built.bad['unknown-preprocessing']!)).toThrow(
      /rdf\.yaml: inputs\[0\]\.preprocessing\[0\]\.id: preprocessing id 'magic_normalize' is not a bioimage\.io processing/,
    );
  });

  it('names the field of a reference to an unknown tensor', () => {
    expect(() => parse(built.bad['unknown-axis-reference']!)).toThrow(
      /rdf\.yaml: outputs\[0\]\.axes\[2\]\.size\.tensor_id: output axis y references tensor 'nonexistent'/,
    );
  });

  it('names the line of malformed YAML', () => {
    try {
      parse(built.bad['malformed-yaml']!);
      expect.unreachable();
    } catch (error) {
      expect((error as ToolError).message).toMatch(/malformed-yaml\/rdf\.yaml: .*line \d+: not valid YAML/);
      expect((error as ToolError).details['line']).toBeGreaterThan(60);
    }
  });
});
