import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from './native-addon.js';
import { runNative } from './run-native.js';
import { addonOrSkip } from './test-support/addon-or-skip.js';

const addon = addonOrSkip(import.meta.url);
const ADDON = fileURLToPath(new URL('../build/Release/gpu_decon.node', import.meta.url));
const probe = (name: string): string => fileURLToPath(new URL(`./test-support/${name}`, import.meta.url));

describe.skipIf(addon === undefined)('addon runtime behaviour', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-decon-runtime-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the event loop free: a 5 ms timer keeps firing while a deconvolution runs', async () => {
    const shape: [number, number, number] = [48, 96, 96];
    const image = Float32Array.from({ length: 48 * 96 * 96 }, (_, i) => 1 + (i % 23));
    const psf = new Float32Array(343).fill(1 / 343);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = Date.now();
    const result = await addon!.deconvolve({ image, shape, psf, psfShape: [7, 7, 7], iterations: 12, planner: 'estimate', threads: 1 }).promise;
    const elapsed = Date.now() - started;
    clearInterval(timer);
    expect(result.iterateMs).toBeGreaterThan(50);
    // A blocked loop would fire at most once after the call; a free one fires about every 5 ms.
    expect(ticks).toBeGreaterThanOrEqual(Math.min(10, Math.floor(elapsed / 20)));
    // Given back now, not whenever the GC collects it (that would change the pool under later tests).
    addon!.recycle(result.data);
  });

  it('100 calls do not grow the resident memory', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', probe('memory-probe.mjs'), ADDON, '100'], { encoding: 'utf8' });
    const { before, after } = JSON.parse(out) as { before: number; after: number };
    // Each call allocates ~0.6 MB (estimate, work buffer, OTF): a leak would add > 60 MB.
    expect(after - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('plans a shape once: the second call reuses the plan, a new process reads the wisdom file', () => {
    const wisdom = join(dir, 'wisdom');
    const first = JSON.parse(execFileSync(process.execPath, [probe('wisdom-probe.mjs'), ADDON, wisdom], { encoding: 'utf8' })) as {
      source: string;
      ms: number;
    }[];
    expect(first.map((r) => r.source)).toEqual(['measured', 'memory']);
    expect(existsSync(addon!.wisdomFile(wisdom))).toBe(true);
    const second = JSON.parse(execFileSync(process.execPath, [probe('wisdom-probe.mjs'), ADDON, wisdom], { encoding: 'utf8' })) as {
      source: string;
      ms: number;
    }[];
    expect(second[0]!.source).toBe('wisdom');
    expect(second[0]!.ms).toBeLessThan(first[0]!.ms);
  });

  it('recycles large work buffers across calls of one shape and frees them on request', async () => {
    addon!.releaseBuffers();
    // A shape no other test of this file uses: the pool matches buffers by size, and an earlier
    // test's result collected meanwhile would otherwise come back into it and serve this one.
    const shape: [number, number, number] = [40, 88, 104];
    const image = new Float32Array(40 * 88 * 104).fill(1);
    const psf = new Float32Array(125).fill(1);
    const call = () => addon!.deconvolve({ image, shape, psf, psfShape: [5, 5, 5], iterations: 1, planner: 'estimate', accelerate: true }).promise;
    // Both results stay referenced: a result the GC collected would go back to the pool, and the
    // next call would take it from there for its own result (the pool then shrinks by one image).
    const first = await call();
    const pooled = addon!.pooledBytes();
    // The work buffer, the OTF (about 1.5 MB each on a 42×90×106 or larger grid) and the two acceleration buffers come back.
    expect(pooled).toBeGreaterThanOrEqual(4 * 40 * 88 * 104 * 4);
    const second = await call();
    expect(addon!.pooledBytes()).toBe(pooled);
    expect([first, second].map((r) => r.data.length)).toEqual([40 * 88 * 104, 40 * 88 * 104]);
    expect(addon!.releaseBuffers()).toBe(pooled);
    expect(addon!.pooledBytes()).toBe(0);
  });

  it('recycle gives a result buffer back to the pool at once, detaches it, and ignores arrays it did not allocate', async () => {
    addon!.releaseBuffers();
    // Large enough (53 MB) that the smaller buffers of earlier tests the GC may return meanwhile never add up to it.
    const shape: [number, number, number] = [40, 512, 512];
    const image = new Uint16Array(40 * 512 * 512).fill(7);
    const first = await addon!.deskew({ image, shape, dz: 0.4, dx: 0.104, angle: 31.5 }).promise;
    const bytes = first.data.byteLength;
    expect(first.data[5000]).toBeGreaterThanOrEqual(0);
    expect(addon!.recycle(first.data)).toBe(bytes);
    expect(first.data.length).toBe(0);
    // The pool counts whole (2 MiB-rounded) allocations.
    const pooled = addon!.pooledBytes();
    expect(pooled).toBeGreaterThanOrEqual(bytes);
    expect(addon!.recycle(first.data)).toBe(0);
    expect(addon!.recycle(new Float32Array(16))).toBe(0);
    // The next result of that size takes the pooled buffer and is fully written (no stale values).
    // (Not "the pool is empty": the garbage collector may hand back earlier tests' smaller buffers
    // at any moment; together they stay far below the one taken.)
    const second = await addon!.deskew({ image: new Uint16Array(40 * 512 * 512).fill(3), shape, dz: 0.4, dx: 0.104, angle: 31.5 }).promise;
    expect(addon!.pooledBytes()).toBeLessThan(pooled);
    expect(second.data.byteLength).toBe(bytes);
    expect(second.data.reduce((m, v) => Math.max(m, v), 0)).toBe(3);
    addon!.recycle(second.data);
    addon!.releaseBuffers();
  });

  it('reuse: an earlier result of exactly the output size is rewritten in place; another size or type is ignored', async () => {
    const shape: [number, number, number] = [20, 64, 64];
    const args = { shape, dz: 0.4, dx: 0.104, angle: 31.5 };
    const first = await addon!.deskew({ ...args, image: new Uint16Array(20 * 64 * 64).fill(9) }).promise;
    const again = await addon!.deskew({ ...args, image: new Uint16Array(20 * 64 * 64).fill(4), reuse: first.data }).promise;
    expect(again.data).toBe(first.data);
    expect(again.data.reduce((m, v) => Math.max(m, v), 0)).toBe(4);
    // Too small, or not a Float32Array: a new result, the offered array untouched.
    const small = new Float32Array(16).fill(-1);
    const other = await addon!.deskew({ ...args, image: new Uint16Array(20 * 64 * 64).fill(2), reuse: small }).promise;
    expect(other.data).not.toBe(small);
    expect(other.data.length).toBe(first.data.length);
    expect(small.every((v) => v === -1)).toBe(true);
    const notFloat = await addon!.deskew({ ...args, image: new Uint16Array(20 * 64 * 64).fill(2), reuse: new Float64Array(4) as unknown as Float32Array })
      .promise;
    expect(notFloat.data.length).toBe(first.data.length);
    // Like out, it must not overlap an input.
    const image = new Float32Array(20 * 64 * 64).fill(1);
    const result = await addon!.deconvolve({ image, shape, psf: new Float32Array(27).fill(1), psfShape: [3, 3, 3], iterations: 1, planner: 'estimate' })
      .promise;
    expect(() => addon!.deconvolve({ image: result.data, shape, psf: new Float32Array(27).fill(1), psfShape: [3, 3, 3], reuse: result.data })).toThrow(
      /output \(out or reuse\) must not share memory with image/,
    );
    for (const array of [first.data, other.data, notFloat.data, result.data]) addon!.recycle(array);
  });

  it('runNative turns an abort into RunnerError CANCELLED and bad arguments into ToolError BAD_PARAMETER', async () => {
    const shape: [number, number, number] = [16, 32, 32];
    const image = new Float32Array(16 * 32 * 32).fill(1);
    const psf = new Float32Array(27).fill(1);
    const controller = new AbortController();
    const running = runNative(
      () => addon!.deconvolve({ image, shape, psf, psfShape: [3, 3, 3], iterations: 10000, planner: 'estimate', onProgress: () => controller.abort() }),
      'deconvolving 16×32×32',
      controller.signal,
    );
    await expect(running).rejects.toMatchObject({ area: 'runner', code: 'CANCELLED' });
    await expect(runNative(() => addon!.deconvolve({ image, shape: [1, 2, 3], psf, psfShape: [3, 3, 3] }), 'deconvolving')).rejects.toMatchObject({
      area: 'tool',
      code: 'BAD_PARAMETER',
      message: expect.stringMatching(/^deconvolving: image holds 16384 values/),
    });
  });
});

describe('addon loading', () => {
  it('a missing addon is PluginError MISSING_REQUIREMENT naming the file and the command that fixes it', () => {
    const missing = join(tmpdir(), 'no-such-dir', 'gpu_decon.node');
    expect(() => loadNativeAddon(missing)).toThrow(
      expect.objectContaining({ area: 'plugin', code: 'MISSING_REQUIREMENT', message: expect.stringContaining(`${missing} was not built`) }),
    );
    expect(() => loadNativeAddon(missing)).toThrow(/Fix: sudo apt-get install -y libfftw3-dev .* && npm run build -w plugins\/gpu-decon/);
  });

  it('an addon that cannot be loaded (missing libfftw3f at run time) is MISSING_REQUIREMENT too', () => {
    const broken = fileURLToPath(new URL('./test-support/reference.py', import.meta.url));
    expect(() => loadNativeAddon(broken)).toThrow(
      expect.objectContaining({ code: 'MISSING_REQUIREMENT', message: expect.stringContaining('cannot be loaded') }),
    );
  });
});
