import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianPython } from '@bioimageit/core/testing';
import {
  BAD_TEST_MODELS,
  BUILD_TEST_MODELS_SCRIPT,
  buildTestModels,
  CHECK_TEST_MODELS_SCRIPT,
  pythonOnnxMissing,
  TEST_MODEL_FACTS,
  TEST_MODEL_PYTHON_MODULES,
  testModelsCacheDir,
  type BadTestModelName,
  type TestModelName,
} from './test-models.js';

const skip = pythonOnnxMissing(import.meta.url);

interface CheckReport {
  readonly folder: string;
  readonly formatVersion?: string;
  readonly errors: readonly string[];
  readonly files: Readonly<Record<string, string>>;
  readonly tolerance?: { readonly relative_tolerance: number; readonly absolute_tolerance: number };
  readonly maxAbsDiff?: Readonly<Record<string, number>>;
  readonly haloMaxDiff?: Readonly<Record<string, number>>;
}

/** Python's view of a package: the rdf as JSON (yaml module) and the connected objects of each test output. */
const DESCRIBE = `
import json, sys, yaml, numpy as np
from scipy import ndimage
out = {}
for folder in sys.argv[1:]:
    rdf = yaml.safe_load(open(folder + '/rdf.yaml'))
    mask = np.load(folder + '/test_output.npy')
    out[folder] = {'rdf': rdf, 'objects': int(ndimage.label(mask[0, 0] > 0.5)[1])}
print(json.dumps(out))
`;

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Shape and numpy dtype of a .npy file, read from its header. */
function npyHeader(file: string): { shape: number[]; descr: string } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const major = bytes[6];
  const length = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.subarray(start, start + length).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  return { shape, descr };
}

const DTYPES: Record<string, string> = { '<f4': 'float32', '|u1': 'uint8', '<u2': 'uint16' };

const BAD_ERRORS: Record<BadTestModelName, RegExp> = {
  'missing-weights': /^missing: weights\.onnx$/,
  'wrong-sha256': /^sha256: weights\.onnx$/,
  'unknown-preprocessing': /^processing: unknown 'magic_normalize'$/,
  'test-tensor-shape-mismatch': /^shape: test input axis channel has size 3/,
  'unknown-axis-reference': /^reference: axis y references unknown tensor 'nonexistent'$/,
  'wrong-test-output': /^reproduce: output probability differs in 4096 of 4096 elements/,
  'malformed-yaml': /^yaml: /,
  'torchscript-only': /^weights: no onnx weights$/,
};

describe.skipIf(skip)('model-zoo test models', () => {
  let dir = '';
  let built: ReturnType<typeof buildTestModels> & { readonly bad: Readonly<Record<BadTestModelName, string>> };
  let python = '';
  const reports = new Map<string, CheckReport>();
  let described: Record<string, { rdf: Record<string, unknown>; objects: number }> = {};

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'model-zoo-test-models-'));
    built = buildTestModels(dir, { bad: true });
    python = debianPython(TEST_MODEL_PYTHON_MODULES).python ?? '';
    const folders = [...Object.values(built.models), ...Object.values(built.bad)];
    const json = execFileSync(python, [CHECK_TEST_MODELS_SCRIPT, ...folders], { encoding: 'utf8' });
    for (const report of JSON.parse(json) as CheckReport[]) reports.set(report.folder, report);
    const good = Object.values(built.models);
    described = JSON.parse(execFileSync(python, ['-c', DESCRIBE, ...good], { encoding: 'utf8' })) as typeof described;
  });

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const names = Object.keys(TEST_MODEL_FACTS) as TestModelName[];

  it('writes every model as a complete package folder', () => {
    for (const name of names) {
      const files = readdirSync(built.models[name]).sort();
      expect(files, name).toEqual(['README.md', 'cover.png', 'rdf.yaml', 'test_input.npy', 'test_output.npy', 'weights.onnx']);
      expect(readFileSync(path.join(built.models[name], 'cover.png')).subarray(1, 4).toString('latin1')).toBe('PNG');
    }
  });

  it.each(names)('%s: the rdf parses, names existing files with their sha256, and the ONNX model passes onnx.checker', (name) => {
    const report = reports.get(built.models[name]);
    expect(report?.errors).toEqual([]);
    expect(report?.formatVersion).toBe(TEST_MODEL_FACTS[name].formatVersion);
    // the same digests computed here, independently of python
    for (const [file, digest] of Object.entries(report?.files ?? {})) expect(sha256(path.join(built.models[name], file)), file).toBe(digest);
    expect(Object.keys(report?.files ?? {}).sort()).toEqual(['README.md', 'cover.png', 'test_input.npy', 'test_output.npy', 'weights.onnx']);
    const rdf = described[built.models[name]]?.rdf ?? {};
    const weights = rdf.weights as { onnx: { source: string; sha256: string; opset_version: number } };
    expect(weights.onnx.sha256).toBe(sha256(path.join(built.models[name], weights.onnx.source)));
    expect(weights.onnx.opset_version).toBe(17);
  });

  it.each(names)('%s: an independent float32 interpreter of rdf and graph reproduces the test output within the tolerance', (name) => {
    const report = reports.get(built.models[name]);
    const output = TEST_MODEL_FACTS[name].output.id;
    expect(report?.tolerance).toMatchObject({ relative_tolerance: 1e-4, absolute_tolerance: 1e-4 });
    expect(report?.maxAbsDiff?.[output]).toBeLessThan(1e-5);
    // a block cut by the halo inside the input gives the whole run's values once its halo is cropped
    expect(report?.haloMaxDiff?.[output]).toBeLessThan(1e-6);
  });

  it.each(names)('%s: the test tensors have the documented ids, shapes and dtypes', (name) => {
    const facts = TEST_MODEL_FACTS[name];
    const input = npyHeader(path.join(built.models[name], 'test_input.npy'));
    const output = npyHeader(path.join(built.models[name], 'test_output.npy'));
    expect({ shape: input.shape, dtype: DTYPES[input.descr] }).toEqual({ shape: facts.input.shape, dtype: facts.input.dtype });
    expect({ shape: output.shape, dtype: DTYPES[output.descr] }).toEqual({ shape: facts.output.shape, dtype: facts.output.dtype });
    const rdf = described[built.models[name]]?.rdf ?? {};
    const [rdfInput] = rdf.inputs as Record<string, unknown>[];
    const [rdfOutput] = rdf.outputs as Record<string, unknown>[];
    expect(rdfInput?.id ?? rdfInput?.name).toBe(facts.input.id);
    expect(rdfOutput?.id ?? rdfOutput?.name).toBe(facts.output.id);
    if (facts.formatVersion.startsWith('0.5')) {
      const axes = rdfOutput?.axes as { type: string; id?: string; halo?: number }[];
      expect(axes.map((axis) => axis.id ?? axis.type[0]).join('')).toBe(facts.output.axes);
      expect(axes.filter((axis) => axis.type === 'space').map((axis) => axis.halo)).toEqual(
        facts.output.axes
          .slice(2)
          .split('')
          .map(() => facts.output.halo),
      );
    } else {
      expect(rdfOutput?.axes).toBe(facts.output.axes);
      expect(rdfOutput?.halo).toEqual([0, 0, 2, 2, 2]);
    }
  });

  it('percentile-2d: the test output mask holds the documented number of objects', () => {
    expect(described[built.models['percentile-2d']]?.objects).toBe(TEST_MODEL_FACTS['percentile-2d'].objects);
  });

  it('unet3d-halo in format 0.4 shares the weights and test tensors of the 0.5 package', () => {
    for (const file of ['weights.onnx', 'test_input.npy', 'test_output.npy']) {
      expect(sha256(path.join(built.models['unet3d-halo-v0_4'], file)), file).toBe(sha256(path.join(built.models['unet3d-halo'], file)));
    }
  });

  it.each(Object.keys(BAD_TEST_MODELS) as BadTestModelName[])('bad package %s shows exactly its defect', (name) => {
    const report = reports.get(built.bad[name]);
    expect(report?.errors.length, JSON.stringify(report?.errors)).toBeGreaterThan(0);
    expect(report?.errors[0]).toMatch(BAD_ERRORS[name]);
    if (name !== 'test-tensor-shape-mismatch') expect(report?.errors).toHaveLength(1);
  });

  it('builds deterministically, and copies from the cache without rebuilding', () => {
    const cache = testModelsCacheDir();
    const stamp = statSync(path.join(cache, 'complete')).mtimeMs;
    const again = buildTestModels(path.join(dir, 'again'));
    expect(statSync(path.join(cache, 'complete')).mtimeMs).toBe(stamp);
    expect(again.bad).toEqual({});
    const fresh = path.join(dir, 'fresh');
    execFileSync(python, [BUILD_TEST_MODELS_SCRIPT, fresh]);
    for (const name of names) {
      for (const file of readdirSync(built.models[name])) {
        expect(sha256(path.join(fresh, name, file)), `${name}/${file}`).toBe(sha256(path.join(again.models[name], file)));
      }
    }
  });
});
