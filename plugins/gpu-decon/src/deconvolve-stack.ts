import { readStack, type Stack } from './volume-io.js';
import { resamplePsf } from './resample-psf.js';
import { runNative } from './run-native.js';
import { formatShape, type OperationContext } from './operation-context.js';
import type { NativeDeconResult } from './native-addon.js';
import type { ToolArgs } from './tool-args.js';

/** Reads the deconvolution parameters shared by `gpu-decon.deconvolve` and `gpu-decon.llsm`. */
export function deconSettings(args: ToolArgs) {
  return {
    iterations: args.integer('iterations', 0, 1000),
    mode: args.choice('padding', ['padded', 'wrap'] as const),
    accelerate: args.bool('accelerate'),
    background: args.bool('background_auto') ? -1 : args.number('background', 0),
    psfBackground: args.bool('psf_background_auto') ? -1 : args.number('psf_background', 0),
    psfDz: args.number('psf_dz', 0),
    psfDx: args.number('psf_dx', 0),
    radialPsf: args.bool('radial_psf'),
    napodize: args.integer('napodize', 0, 200),
    ratioLimit: args.number('ratio_limit', 0),
    device: args.choice('device', ['auto', 'cpu', 'cuda'] as const),
  };
}

export type DeconSettings = ReturnType<typeof deconSettings>;

/**
 * Deconvolves `stack` (voxel dz × dx µm) with the PSF file `psfPath`, resampled to the stack's voxel
 * size when its own differs (taken from psf_dz/psf_dx, else from the PSF file, else assumed equal).
 * Progress is mapped onto [from, to] of the job.
 */
export async function deconvolveStack(
  stack: Stack,
  voxel: { dz: number; dx: number },
  psfPath: string,
  settings: DeconSettings,
  context: OperationContext,
  span: readonly [number, number] = [0, 1],
): Promise<NativeDeconResult> {
  const measured = await readStack(psfPath, 'PSF');
  const psfVoxel = {
    dz: settings.psfDz > 0 ? settings.psfDz : (measured.voxel.z ?? voxel.dz),
    dx: settings.psfDx > 0 ? settings.psfDx : (measured.voxel.x ?? voxel.dx),
  };
  const psfData = measured.data instanceof Float32Array ? measured.data : Float32Array.from(measured.data);
  const psf = resamplePsf({ data: psfData, shape: measured.shape, ...psfVoxel }, voxel.dz, voxel.dx);
  if (psf.data !== psfData) {
    context.log(`PSF ${formatShape(measured.shape)} at ${psfVoxel.dz}×${psfVoxel.dx} µm resampled to ${formatShape(psf.shape)} at ${voxel.dz}×${voxel.dx} µm`);
  }
  const [from, to] = span;
  const result = await runNative(
    () =>
      context.addon.deconvolve({
        image: stack.data,
        shape: stack.shape,
        psf: psf.data,
        psfShape: psf.shape,
        iterations: settings.iterations,
        mode: settings.mode,
        accelerate: settings.accelerate,
        background: settings.background,
        psfBackground: settings.psfBackground,
        radialPsf: settings.radialPsf,
        napodize: settings.mode === 'wrap' ? settings.napodize : 0,
        ratioLimit: settings.ratioLimit,
        threads: context.threads,
        planner: 'measure',
        wisdomDir: context.wisdomDir,
        device: settings.device,
        onProgress: (done, total) => context.progress(from + ((to - from) * done) / Math.max(total, 1)),
      }),
    `deconvolving ${formatShape(stack.shape)}`,
    context.signal,
  );
  context.log(
    `deconvolved ${formatShape(stack.shape)} -> ${formatShape(result.shape)} on ${result.device}: ${settings.mode}, grid ${formatShape(result.grid)}, ` +
      `${settings.iterations} iterations${settings.accelerate ? ' (accelerated)' : ''}, plans ${result.planSource} ${result.planMs.toFixed(0)} ms, ` +
      `iterations ${result.iterateMs.toFixed(0)} ms, background ${result.background}, flux ${result.fluxIn.toPrecision(6)} -> ${result.fluxOut.toPrecision(6)}`,
  );
  return result;
}

/** Provenance facts of a deconvolution. */
export function deconFacts(result: NativeDeconResult, settings: DeconSettings): Record<string, unknown> {
  return {
    device: result.device,
    mode: settings.mode,
    grid: result.grid,
    planSource: result.planSource,
    background: result.background,
    psfBackground: result.psfBackground,
    outputShape: result.shape,
  };
}
