import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianPython, skipWithout } from '@bioimageit/core/testing';

/** The python modules build-test-models.py and check-test-models.py import. */
export const TEST_MODEL_PYTHON_MODULES: readonly string[] = ['numpy', 'scipy', 'onnx', 'yaml'];

/** The good test packages: three models in format 0.5.4 and `unet3d-halo` again in format 0.4.10. */
export type TestModelName = 'unet3d-halo' | 'unet3d-halo-v0_4' | 'two-channel-2d' | 'percentile-2d';

/** The broken packages (all derived from `two-channel-2d`). */
export type BadTestModelName =
  | 'missing-weights'
  | 'wrong-sha256'
  | 'unknown-preprocessing'
  | 'test-tensor-shape-mismatch'
  | 'unknown-axis-reference'
  | 'wrong-test-output'
  | 'malformed-yaml'
  | 'torchscript-only';

/** What a test can rely on in each good package (checked against the built files by test-models.spec.ts). */
export interface TestModelFacts {
  readonly formatVersion: string;
  readonly input: { readonly id: string; readonly axes: string; readonly shape: readonly number[]; readonly dtype: string };
  readonly output: { readonly id: string; readonly axes: string; readonly shape: readonly number[]; readonly dtype: string; readonly halo: number };
  /** Connected objects in the test output (percentile-2d's mask). */
  readonly objects?: number;
}

const unet3d: TestModelFacts = {
  formatVersion: '0.5.4',
  input: { id: 'raw', axes: 'bczyx', shape: [1, 1, 12, 24, 32], dtype: 'float32' },
  output: { id: 'prediction', axes: 'bczyx', shape: [1, 1, 12, 24, 32], dtype: 'float32', halo: 2 },
};

export const TEST_MODEL_FACTS: Readonly<Record<TestModelName, TestModelFacts>> = {
  'unet3d-halo': unet3d,
  'unet3d-halo-v0_4': { ...unet3d, formatVersion: '0.4.10' },
  'two-channel-2d': {
    formatVersion: '0.5.4',
    input: { id: 'image', axes: 'bcyx', shape: [1, 2, 64, 64], dtype: 'uint16' },
    output: { id: 'probability', axes: 'bcyx', shape: [1, 1, 64, 64], dtype: 'float32', halo: 1 },
  },
  'percentile-2d': {
    formatVersion: '0.5.4',
    input: { id: 'raw', axes: 'bcyx', shape: [1, 1, 96, 96], dtype: 'uint8' },
    output: { id: 'mask', axes: 'bcyx', shape: [1, 1, 96, 96], dtype: 'uint8', halo: 2 },
    objects: 5,
  },
};

/** What reading, validating or testing each broken package should report. */
export const BAD_TEST_MODELS: Readonly<Record<BadTestModelName, string>> = {
  'missing-weights': 'the weights file weights.onnx named by the rdf does not exist',
  'wrong-sha256': "the sha256 of weights.onnx differs from the rdf's (64 zeros)",
  'unknown-preprocessing': "preprocessing id 'magic_normalize' is not a bioimage.io processing",
  'test-tensor-shape-mismatch': 'test_input.npy is 1x3x48x48 where the rdf says 2 channels and a fixed 64x64',
  'unknown-axis-reference': "output axis y references tensor 'nonexistent', which is not an input",
  'wrong-test-output': 'the test output is not reproduced: every value is off by 0.25',
  'malformed-yaml': 'rdf.yaml is not valid YAML',
  'torchscript-only': 'the only weights are torchscript (weights.pt, a dummy file): no supported weights format',
};

export interface TestModels {
  /** Package folders (each holds rdf.yaml), by model. */
  readonly models: Readonly<Record<TestModelName, string>>;
  /** Broken package folders, when built with `{ bad: true }`. */
  readonly bad: Readonly<Partial<Record<BadTestModelName, string>>>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The generator script (Debian's python3). */
export const BUILD_TEST_MODELS_SCRIPT = path.join(here, 'build-test-models.py');
/** The independent checker script: prints a JSON report per package folder. */
export const CHECK_TEST_MODELS_SCRIPT = path.join(here, 'check-test-models.py');

/**
 * True (and logged as a skip by core's `skipWithout`) when Debian's python3 cannot import numpy,
 * scipy, onnx and yaml: the test models cannot be built. Call at the top of a spec:
 * `const skip = pythonOnnxMissing(import.meta.url); describe.skipIf(skip)(…)`.
 */
export function pythonOnnxMissing(suite: string): boolean {
  const { why } = debianPython(TEST_MODEL_PYTHON_MODULES);
  return skipWithout('python', why === undefined ? undefined : `${why} (apt-get install python3-onnx python3-yaml)`, suite);
}

/** The cache folder of this version of the generator (a hash of the script). */
export function testModelsCacheDir(): string {
  const hash = createHash('sha256').update(readFileSync(BUILD_TEST_MODELS_SCRIPT)).digest('hex').slice(0, 16);
  return path.join(tmpdir(), `bioimageit-test-models-${hash}`);
}

function ensureCache(): string {
  const cache = testModelsCacheDir();
  if (existsSync(path.join(cache, 'complete'))) return cache;
  const { python, why } = debianPython(TEST_MODEL_PYTHON_MODULES);
  if (python === undefined) throw new Error(`cannot build the model-zoo test models: ${why ?? 'no python'} (apt-get install python3-onnx python3-yaml)`);
  const scratch = `${cache}.tmp-${String(process.pid)}-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(scratch, { recursive: true });
    execFileSync(python, [BUILD_TEST_MODELS_SCRIPT, path.join(scratch, 'good'), '--bad', path.join(scratch, 'bad')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    writeFileSync(path.join(scratch, 'complete'), '');
    // the cache appears whole or not at all (a folder exists there only when complete)
    renameSync(scratch, cache);
  } catch (error) {
    // another process may have finished the same cache first
    if (!existsSync(path.join(cache, 'complete'))) throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return cache;
}

/**
 * Copies the test packages into `dir` (built once per version of build-test-models.py and cached
 * under the OS temp folder): `dir/<model>` for each good model and, with `{ bad: true }`,
 * `dir/bad/<variant>` for each broken one. Each caller gets its own copy, free to modify.
 * Throws when Debian's python3 lacks numpy, scipy, onnx or yaml (see `pythonOnnxMissing`).
 */
export function buildTestModels(dir: string, options: { bad: true }): TestModels & { readonly bad: Readonly<Record<BadTestModelName, string>> };
export function buildTestModels(dir: string, options?: { bad?: boolean }): TestModels;
export function buildTestModels(dir: string, options: { bad?: boolean } = {}): TestModels {
  const cache = ensureCache();
  mkdirSync(dir, { recursive: true });
  const models = {} as Record<TestModelName, string>;
  for (const name of Object.keys(TEST_MODEL_FACTS) as TestModelName[]) {
    models[name] = path.join(dir, name);
    cpSync(path.join(cache, 'good', name), models[name], { recursive: true });
  }
  const bad: Partial<Record<BadTestModelName, string>> = {};
  if (options.bad === true) {
    for (const name of Object.keys(BAD_TEST_MODELS) as BadTestModelName[]) {
      bad[name] = path.join(dir, 'bad', name);
      cpSync(path.join(cache, 'bad', name), bad[name], { recursive: true });
    }
  }
  return { models, bad };
}
