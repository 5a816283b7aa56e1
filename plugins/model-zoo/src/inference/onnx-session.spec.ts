import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginError } from '@bioimageit/core';
import { buildTestModels, pythonOnnxMissing } from '../test-support/test-models.js';
import { makeTensor } from '../tensor/tensor.js';
import { loadOnnxRuntime, mapTensorNames, openOnnxSession, runtimeDescription, type InferencePackage } from './onnx-session.js';
import { openModelPackage } from '../package/model-package.js';

const skip = pythonOnnxMissing(import.meta.url);

describe('ONNX Runtime loading and tensor names', () => {
  it('describes the runtime', () => {
    expect(runtimeDescription()).toMatch(/^onnxruntime-node 1\.\d+\.\d+ \(cpu\)$/);
  });

  it('reports a missing runtime as MISSING_REQUIREMENT naming the fix', () => {
    expect(() => loadOnnxRuntime('onnxruntime-node-not-installed')).toThrow(PluginError);
    expect(() => loadOnnxRuntime('onnxruntime-node-not-installed')).toThrow(/npm install onnxruntime-node/);
    try {
      loadOnnxRuntime('onnxruntime-node-not-installed');
    } catch (error) {
      expect((error as PluginError).code).toBe('MISSING_REQUIREMENT');
    }
  });

  it('maps tensor ids by name, else by position', () => {
    expect(mapTensorNames('m', 'input', ['raw'], ['raw'])).toEqual({ raw: 'raw' });
    expect(mapTensorNames('m', 'input', ['a', 'b'], ['input.1', 'input.2'])).toEqual({ a: 'input.1', b: 'input.2' });
    expect(() => mapTensorNames('m', 'output', ['a', 'b'], ['out'])).toThrow(/model 'm': its outputs \[a, b\] do not match the ONNX graph's outputs \[out\]/);
  });
});

describe.skipIf(skip)('ONNX sessions', () => {
  let dir = '';
  let unet: InferencePackage;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'model-zoo-session-'));
    unet = await openModelPackage(buildTestModels(dir).models['unet3d-halo'], { cacheDir: path.join(dir, 'cache') });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Ticks of a 5 ms interval during one run of a 64×128×128 volume; the run's duration. */
  async function ticksDuringRun(thread: 'worker' | 'main'): Promise<{ ticks: number; ms: number }> {
    const session = await openOnnxSession(unet, { thread, intraOpNumThreads: 1 });
    try {
      const input = makeTensor('float32', [1, 1, 64, 128, 128]);
      await session.run({ raw: input });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = performance.now();
      const out = await session.run({ raw: input });
      const ms = performance.now() - started;
      clearInterval(timer);
      expect(out['prediction']!.shape).toEqual([1, 1, 64, 128, 128]);
      return { ticks, ms };
    } finally {
      await session.close();
    }
  }

  it('runs off the main thread: the event loop keeps ticking during a long run', async () => {
    const worker = await ticksDuringRun('worker');
    const main = await ticksDuringRun('main');
    console.log(
      `64x128x128 run: worker ${worker.ms.toFixed(0)} ms, ${String(worker.ticks)} ticks of 5 ms; main thread ${main.ms.toFixed(0)} ms, ${String(main.ticks)} ticks`,
    );
    // on the main thread the loop is blocked for the whole run (at most one tick slips in before it)
    expect(main.ticks).toBeLessThanOrEqual(1);
    expect(worker.ticks).toBeGreaterThanOrEqual(Math.max(3, Math.floor(worker.ms / 25)));
  });

  it('maps the ids and reports graph input types; closes cleanly', async () => {
    const session = await openOnnxSession(unet, { intraOpNumThreads: 1 });
    expect(session.inputNames).toEqual({ raw: 'raw' });
    expect(session.outputNames).toEqual({ prediction: 'prediction' });
    expect(session.inputTypes).toEqual({ raw: 'float32' });
    expect(session.runtime).toBe(runtimeDescription());
    await session.close();
    await expect(session.run({ raw: makeTensor('float32', [1, 1, 8, 16, 16]) })).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
  });

  it('rejects runs the graph cannot take and packages without onnx weights', async () => {
    const session = await openOnnxSession(unet, { intraOpNumThreads: 1 });
    try {
      await expect(session.run({ raw: makeTensor('float32', [1, 2, 8, 16, 16]) })).rejects.toMatchObject({
        code: 'BAD_PARAMETER',
        message: /ONNX Runtime failed/,
      });
    } finally {
      await session.close();
    }
    const noOnnx = { ...unet, description: { ...unet.description, weights: [{ format: 'torchscript' as const, source: 'w.pt' }] } };
    await expect(openOnnxSession(noOnnx)).rejects.toMatchObject({ code: 'BAD_MANIFEST', message: /no onnx weights/ });
  });
});
