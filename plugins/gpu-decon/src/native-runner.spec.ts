import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandArgv, validateParams, writeTiff, type RunnerJob, type ToolManifest } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpuDeconToolSource } from './gpu-decon-tool-source.js';
import { NativeRunner } from './native-runner.js';
import { addonOrSkip } from './test-support/addon-or-skip.js';
import { readStack } from './volume-io.js';
import { pythonMissing, referencePython } from './test-support/python-reference.js';

const addon = addonOrSkip(import.meta.url);
const noPython = skipWithout('python', pythonMissing(), import.meta.url);

/** A small stage-scan stack (beads drifting along x from plane to plane) and a Gaussian PSF. */
async function writeInputs(dir: string): Promise<void> {
  const [nz, ny, nx] = [24, 32, 48];
  const stack = new Uint16Array(nz * ny * nx).fill(100);
  for (const [zc, yc, xc] of [
    [8, 10, 20],
    [14, 20, 30],
    [18, 8, 12],
  ] as const) {
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const xr = xc - 2.5 * (z - zc);
          stack[(z * ny + y) * nx + x]! += Math.round(2000 * Math.exp(-((z - zc) ** 2) / 8 - ((y - yc) ** 2 + (x - xr) ** 2) / 3));
        }
  }
  await writeTiff(join(dir, 'stack.tif'), { data: stack, shape: [nz, ny, nx], dtype: 'uint16', axes: 'ZYX' });
  const psf = new Float32Array(7 * 7 * 7);
  for (let z = 0; z < 7; z++)
    for (let y = 0; y < 7; y++) for (let x = 0; x < 7; x++) psf[(z * 7 + y) * 7 + x] = Math.exp(-((z - 3) ** 2) / 4 - ((y - 3) ** 2 + (x - 3) ** 2) / 2);
  await writeTiff(join(dir, 'psf.tif'), { data: psf, shape: [7, 7, 7], dtype: 'float32', axes: 'ZYX' });
}

function job(tool: ToolManifest, dir: string, params: Record<string, string>, extra: Partial<RunnerJob> = {}): RunnerJob {
  const outputs = Object.fromEntries(tool.outputs.map((o) => [o.name, `${o.name}${o.extension}`]));
  const argv = expandArgv(tool, { inputs: { stack: join(dir, 'stack.tif'), psf: join(dir, 'psf.tif') }, outputs, params: validateParams(tool, params) });
  return {
    id: `job-${Math.random().toString(36).slice(2, 8)}`,
    argv,
    env: {},
    cwd: dir,
    stdoutPath: join(dir, 'out.log'),
    stderrPath: join(dir, 'err.log'),
    tool,
    ...extra,
  };
}

describe.skipIf(addon === undefined)('native runner', () => {
  let dir = '';
  let runner: NativeRunner;
  const source = new GpuDeconToolSource();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-decon-runner-'));
    await writeInputs(dir);
    runner = new NativeRunner(addon!, { threads: 2, wisdomDir: join(dir, 'wisdom') });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(noPython)(
    'runs gpu-decon.llsm in-process: OME-TIFFs with physical sizes (checked by tifffile), a MIP PNG, progress and provenance facts',
    async () => {
      const tool = await source.getTool('gpu-decon.llsm');
      const chunks: string[] = [];
      const result = await runner.run(
        job(
          tool,
          dir,
          { dz: '0.3', dx: '0.1', angle: '31.5', iterations: '5', padding: 'wrap', napodize: '4' },
          { onOutput: (_s, c) => chunks.push(Buffer.from(c).toString()) },
        ),
        new AbortController().signal,
      );
      expect(readFileSync(join(dir, 'err.log'), 'utf8')).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.environment).toMatchObject({ runner: 'native', plugin: 'gpu-decon', device: 'cpu', mode: 'wrap', threads: 2 });
      const log = readFileSync(join(dir, 'out.log'), 'utf8');
      expect(log).toMatch(/deskewed 24×32×48 -> 24×32×/);
      expect(log).toMatch(/progress: 100%/);
      expect(chunks.join('')).toBe(log);
      const info = (file: string) =>
        JSON.parse(
          execFileSync(referencePython(), [join(__dirname, 'test-support', 'reference.py'), 'tiff-info', JSON.stringify({ path: join(dir, file) })], {
            encoding: 'utf8',
          }),
        ) as {
          shape: number[];
          dtype: string;
          axes: string;
          isOme: boolean;
          ome: string;
          sum: number;
        };
      const deskewed = info('deskewed.ome.tif');
      const width = 48 + Math.floor((24 * 0.3 * Math.cos((31.5 * Math.PI) / 180)) / 0.1);
      expect(deskewed).toMatchObject({ shape: [24, 32, width], dtype: 'float32', axes: 'ZYX', isOme: true });
      expect(deskewed.ome).toMatch(/PhysicalSizeX="0.1" PhysicalSizeXUnit="µm" PhysicalSizeY="0.1" PhysicalSizeYUnit="µm" PhysicalSizeZ="0.156/);
      const deconvolved = info('deconvolved.ome.tif');
      expect(deconvolved.dtype).toBe('float32');
      expect(deconvolved.shape.every((n, i) => n <= deskewed.shape[i]! && n >= deskewed.shape[i]! - 8)).toBe(true);
      expect(deconvolved.sum).toBeGreaterThan(0);
      const png = readFileSync(join(dir, 'mip.png'));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.readUInt32BE(16)).toBe(deconvolved.shape[2]! + 2 + Math.round((deconvolved.shape[0]! * 0.3 * Math.sin((31.5 * Math.PI) / 180)) / 0.1));
    },
  );

  it("a series of deskew jobs (one after another, and two at once) each writes its own stack, never a neighbour's", async () => {
    const tool = await source.getTool('gpu-decon.deskew');
    const [nz, ny, nx] = [24, 32, 48];
    const stacks = [3, 11, 29].map((seed) => Uint16Array.from({ length: nz * ny * nx }, (_, i) => ((i * seed) % 997) + seed));
    /** Writes stack k for job `name`; the returned function runs the job (so jobs meant to run together start in one tick). */
    const prepare = async (k: number, name: string, on: NativeRunner = runner): Promise<() => Promise<Record<string, unknown>>> => {
      const sub = join(dir, name);
      mkdirSync(sub, { recursive: true });
      await writeTiff(join(sub, 'in.tif'), { data: stacks[k]!, shape: [nz, ny, nx], dtype: 'uint16', axes: 'ZYX' });
      const argv = expandArgv(tool, {
        inputs: { stack: join(sub, 'in.tif') },
        outputs: { deskewed: 'deskewed.ome.tif' },
        params: validateParams(tool, { dz: '0.3', dx: '0.1' }),
      });
      return async () => {
        const result = await on.run(
          { id: name, argv, env: {}, cwd: sub, stdoutPath: join(sub, 'o.log'), stderrPath: join(sub, 'e.log'), tool },
          new AbortController().signal,
        );
        expect(result.exitCode).toBe(0);
        return result.environment ?? {};
      };
    };
    const run = async (k: number, name: string, on: NativeRunner = runner): Promise<Record<string, unknown>> => (await prepare(k, name, on))();
    const together = async (jobs: [number, string][], on: NativeRunner = runner): Promise<Record<string, unknown>[]> => {
      const starts = await Promise.all(jobs.map(([k, name]) => prepare(k, name, on)));
      return Promise.all(starts.map((start) => start()));
    };
    const expected = async (k: number): Promise<Float32Array> =>
      (await addon!.deskew({ image: stacks[k]!, shape: [nz, ny, nx], dz: 0.3, dx: 0.1, angle: 31.5 }).promise).data;
    const written = async (name: string): Promise<Float32Array> => (await readStack(join(dir, name, 'deskewed.ome.tif'), 'stack')).data as Float32Array;
    await run(0, 's0');
    await run(1, 's1');
    await together([
      [2, 'p2'],
      [0, 'p0'],
    ]);
    for (const [name, k] of [
      ['s0', 0],
      ['s1', 1],
      ['p2', 2],
      ['p0', 0],
    ] as const)
      expect(await written(name)).toEqual(await expected(k));
    // Without a thread count, jobs running together share the cores instead of each taking all of them.
    const cores = addon!.info().threads;
    const sharing = new NativeRunner(addon!, { wisdomDir: join(dir, 'wisdom') });
    expect((await run(1, 'alone', sharing))['threads']).toBe(cores);
    const shared = await together(
      [
        [1, 't1'],
        [2, 't2'],
      ],
      sharing,
    );
    // The job that ends first ran wholly beside the other: it used half the cores at most. The other may take
    // all of them for its last calls once alone (its share is read at each addon call), so only the first is fixed.
    const half = Math.max(1, Math.floor(cores / 2));
    expect(Math.min(...shared.map((e) => Number(e['threads'])))).toBe(half);
    for (const e of shared) expect([half, cores]).toContain(e['threads']);
    for (const [name, k] of [
      ['alone', 1],
      ['t1', 1],
      ['t2', 2],
    ] as const)
      expect(await written(name)).toEqual(await expected(k));
  });

  it('a bad parameter is a failed job (exit 1) whose stderr names the parameter', async () => {
    const tool = await source.getTool('gpu-decon.deconvolve');
    const bad = job(tool, dir, {});
    const argv = bad.argv.map((a) => (a.startsWith('--napodize=') ? '--napodize=lots' : a));
    const result = await runner.run({ ...bad, argv }, new AbortController().signal);
    expect(result.exitCode).toBe(1);
    expect(readFileSync(join(dir, 'err.log'), 'utf8')).toMatch(/gpu-decon deconvolve: gpu-decon.deconvolve: parameter 'napodize' must be a number, got 'lots'/);
  });

  it('a PSF that is not one stack fails the job naming the file', async () => {
    await writeTiff(join(dir, 'two-channels.tif'), { data: new Float32Array(2 * 3 * 4 * 4), shape: [2, 3, 4, 4], dtype: 'float32', axes: 'CZYX' });
    const tool = await source.getTool('gpu-decon.deconvolve');
    const base = job(tool, dir, {});
    const argv = base.argv.map((a) => (a.startsWith('--psf=') ? `--psf=${join(dir, 'two-channels.tif')}` : a));
    const result = await runner.run({ ...base, argv }, new AbortController().signal);
    expect(result.exitCode).toBe(1);
    expect(readFileSync(join(dir, 'err.log'), 'utf8')).toMatch(/PSF .*two-channels\.tif has axes CZYX \[2, 3, 4, 4\]/);
  });

  it('runs other host executables as local processes and refuses tools of another plugin', async () => {
    const result = await runner.run(
      { id: 'j1', argv: ['sh', '-c', 'echo hi'], env: {}, cwd: dir, stdoutPath: join(dir, 'o.log'), stderrPath: join(dir, 'e.log') },
      new AbortController().signal,
    );
    expect(result.exitCode).toBe(0);
    expect(result.environment).toMatchObject({ runner: 'native', process: 'local' });
    expect(readFileSync(join(dir, 'o.log'), 'utf8')).toBe('hi\n');
    const other = { ...(await source.getTool('gpu-decon.deskew')), id: 'x.y', requirements: { native: { plugin: 'other' } } };
    await expect(
      runner.run(
        { id: 'j2', argv: ['x'], env: {}, cwd: dir, stdoutPath: join(dir, 'o'), stderrPath: join(dir, 'e'), tool: other },
        new AbortController().signal,
      ),
    ).rejects.toMatchObject({ area: 'runner', code: 'UNAVAILABLE', message: expect.stringMatching(/not those of 'other' \(job j2, tool x.y\)/) });
    await expect(
      runner.run(
        { id: 'j3', argv: ['gpu-decon', 'sharpen'], env: {}, cwd: dir, stdoutPath: join(dir, 'o'), stderrPath: join(dir, 'e') },
        new AbortController().signal,
      ),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/'gpu-decon sharpen', which is not a gpu-decon operation \(deskew, deconvolve, llsm\)/),
    });
  });

  it('cancels a running deconvolution (CANCELLED) and stops it at its time limit (TIMEOUT)', async () => {
    const tool = await source.getTool('gpu-decon.deconvolve');
    const controller = new AbortController();
    const running = runner.run(job(tool, dir, { iterations: '1000', padding: 'padded' }), controller.signal);
    setTimeout(() => controller.abort(), 100);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(runner.run(job(tool, dir, { iterations: '1000' }, { timeoutMs: 100 }), new AbortController().signal)).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });
});
