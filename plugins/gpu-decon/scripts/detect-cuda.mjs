#!/usr/bin/env node
// Prints 1 when the CUDA toolkit with cuFFT is usable for building the addon, else 0
// (`--home`: the toolkit folder). Read by binding.gyp; GPUDECON_CUDA=0 turns CUDA off.
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

function toolkitHome() {
  const candidates = [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda'].filter(Boolean);
  try {
    const nvcc = execFileSync('sh', ['-c', 'command -v nvcc'], { encoding: 'utf8' }).trim();
    if (nvcc) candidates.push(dirname(dirname(realpathSync(nvcc))));
  } catch {
    // no nvcc on PATH
  }
  return candidates.find(
    (home) =>
      existsSync(join(home, 'bin', 'nvcc')) &&
      existsSync(join(home, 'include', 'cufft.h')) &&
      ['lib64/libcufft.so', 'lib/libcufft.so', 'lib64/stubs/libcufft.so'].some((lib) => existsSync(join(home, lib))),
  );
}

const home = process.env.GPUDECON_CUDA === '0' ? undefined : toolkitHome();
process.stdout.write(process.argv.includes('--home') ? (home ?? '/nonexistent') : home ? '1' : '0');
