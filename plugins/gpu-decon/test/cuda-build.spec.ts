// The CUDA branch of the addon build, checked where nvcc exists but no GPU or cuFFT does: a
// toolkit folder made of the real nvcc and CUDA runtime plus stand-in cuFFT declarations and
// library (test/cuda-standin) lets node-gyp compile native/cuda/rl_cuda.cu with binding.gyp's
// nvcc rule and link the addon. It then loads, says CUDA is compiled with no usable device, runs
// `device: 'auto'` on the CPU and refuses `device: 'cuda'` naming the reason. What it cannot
// check (results on a GPU) is cuda.spec.ts, which runs where a device exists. Besides nvcc (the
// system part `nvcc`) the build needs FFTW and a C++ tool chain (the part `fftw`): without them it
// is skipped, naming the part, instead of failing on a missing fftw3.h.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipWithout } from '@bioimageit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = join(PACKAGE, '../..');
const STANDIN = join(PACKAGE, 'test/cuda-standin');

/**
 * The CUDA toolkit folder of the nvcc on PATH (nvcc reports where it runs from); else why there is
 * none (`why`: the system part `nvcc` is missing), or why this check does not apply (`covered`).
 */
function toolkit(): { home?: string; why?: string; covered?: string } {
  const found = spawnSync('sh', ['-c', 'command -v nvcc'], { encoding: 'utf8' });
  const nvcc = found.stdout.trim();
  if (found.status !== 0 || nvcc === '') return { why: 'no nvcc on PATH' };
  const dry = spawnSync(nvcc, ['-dryrun', '-c', '-x', 'cu', '/dev/null', '-o', '/dev/null'], { encoding: 'utf8' });
  const here = /_HERE_=(\S+)/.exec(`${dry.stdout}${dry.stderr}`)?.[1];
  if (here === undefined) return { why: `${nvcc} -dryrun did not say where the toolkit is` };
  const home = dirname(here);
  if (!existsSync(join(home, 'lib64/libcudart.so'))) return { why: `${home} has no lib64/libcudart.so` };
  if (existsSync(join(home, 'include/cufft.h'))) return { covered: `${home} has cuFFT: the real CUDA build and cuda.spec.ts cover it` };
  return { home };
}

/** Why the addon's C++ part cannot be built here (FFTW or the tool chain missing: the system part `fftw`), or undefined. */
function buildToolsMissing(): string | undefined {
  const fftw = spawnSync('sh', [join(PACKAGE, 'scripts/build-addon.sh'), '--check'], { encoding: 'utf8' });
  if (fftw.status !== 0) return fftw.stdout.trim() || `scripts/build-addon.sh --check exited ${String(fftw.status)}`;
  const tools = ['make', 'c++', 'cc'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  return tools.length > 0 ? `${tools.join(', ')} not on PATH` : undefined;
}

if (!existsSync(join(REPO, 'node_modules/.bin/node-gyp'))) throw new Error('node-gyp is not installed: run npm ci');
const { home, why, covered } = toolkit();
if (covered !== undefined) console.info(`gpu-decon CUDA build check not needed here: ${covered}`);
const noNvcc = covered === undefined && skipWithout('nvcc', why, import.meta.url);
const noFftw = covered === undefined && skipWithout('fftw', buildToolsMissing(), import.meta.url);

describe.skipIf(home === undefined || noNvcc || noFftw)('the CUDA build branch (nvcc without cuFFT: stand-in cuFFT)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-decon-cuda-build-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles rl_cuda.cu with the nvcc rule, links, loads, and reports no device with its reason', () => {
    // A toolkit folder: nvcc (a wrapper, so nvcc still finds its own compilers), the runtime, stand-in cuFFT.
    const fake = join(dir, 'cuda');
    mkdirSync(join(fake, 'bin'), { recursive: true });
    mkdirSync(join(fake, 'include'));
    mkdirSync(join(fake, 'lib64'));
    writeFileSync(join(fake, 'bin/nvcc'), `#!/bin/sh\nexec '${home}/bin/nvcc' "$@"\n`, { mode: 0o755 });
    copyFileSync(join(STANDIN, 'cufft.h'), join(fake, 'include/cufft.h'));
    symlinkSync(join(home!, 'lib64/libcudart.so'), join(fake, 'lib64/libcudart.so'));
    execFileSync('cc', ['-shared', '-fPIC', join(STANDIN, 'cufft-standin.c'), '-o', join(fake, 'lib64/libcufft.so')]);
    // The package's build inputs in a folder of their own (the checkout's build/ stays as it is).
    const copy = join(dir, 'package');
    mkdirSync(copy);
    for (const entry of ['binding.gyp', 'package.json', 'native', 'scripts']) cpSync(join(PACKAGE, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
    const env = { ...process.env, CUDA_HOME: fake, GPUDECON_CUDA: '' };
    expect(execFileSync(process.execPath, [join(copy, 'scripts/detect-cuda.mjs')], { env, encoding: 'utf8' })).toBe('1');
    const nodedir = dirname(dirname(process.execPath));
    const build = spawnSync(join(REPO, 'node_modules/.bin/node-gyp'), ['rebuild', `--nodedir=${nodedir}`], { cwd: copy, env, encoding: 'utf8' });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    expect(build.stdout).toMatch(/nvcc/);

    const probe = `
      const a = require(${JSON.stringify(join(copy, 'build/Release/gpu_decon.node'))});
      const shape = [8, 16, 16], image = new Float32Array(8 * 16 * 16).fill(1), psf = new Float32Array(27).fill(1 / 27);
      const base = { image, shape, psf, psfShape: [3, 3, 3], iterations: 2, planner: 'estimate' };
      let refused = '';
      try { a.deconvolve({ ...base, device: 'cuda' }); } catch (e) { refused = e.message; }
      a.deconvolve({ ...base, device: 'auto' }).promise.then((r) => console.log(JSON.stringify({ info: a.info(), auto: r.device, refused })));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })) as {
      info: { cuda: { compiled: boolean; devices: number; reason?: string } };
      auto: string;
      refused: string;
    };
    expect(out.info.cuda).toMatchObject({ compiled: true, devices: 0 });
    expect(out.info.cuda.reason).toMatch(/no usable CUDA device/);
    expect(out.auto).toBe('cpu');
    expect(out.refused).toMatch(/device 'cuda' was asked for but no usable CUDA device/);
  }, 300_000);
});
