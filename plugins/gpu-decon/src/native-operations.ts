import { writeFile } from 'node:fs/promises';
import { deconFacts, deconSettings, deconvolveStack } from './deconvolve-stack.js';
import { mipMontage } from './mip-montage.js';
import { formatShape, type NativeOperation, type OperationContext } from './operation-context.js';
import { encodeGrayPng } from './png-encoder.js';
import { runNative } from './run-native.js';
import type { ToolArgs } from './tool-args.js';
import { ResultSlot } from './result-slot.js';
import { readStack, writeStack, type Stack } from './volume-io.js';

/** The last deskewed stack's array, rewritten by the next deskew of that size (a series of stacks). */
const deskewSlot = new ResultSlot();

interface Deskewed {
  readonly data: Float32Array;
  readonly shape: [number, number, number];
  readonly dz: number;
  /** What this job took from deskewSlot (give it back with the result). */
  readonly taken?: Float32Array;
}

async function deskewStack(stack: Stack, args: ToolArgs, context: OperationContext): Promise<Deskewed> {
  const dz = args.positive('dz');
  const dx = args.positive('dx');
  const angle = args.number('angle', -179, 179);
  const reuse = deskewSlot.take();
  let result;
  try {
    result = await runNative(
      () => context.addon.deskew({ image: stack.data, shape: stack.shape, dz, dx, angle, threads: context.threads, ...(reuse && { reuse }) }),
      `deskewing ${formatShape(stack.shape)}`,
      context.signal,
    );
  } catch (error) {
    if (reuse !== undefined) deskewSlot.give(context.addon, reuse);
    throw error;
  }
  context.log(`deskewed ${formatShape(stack.shape)} -> ${formatShape(result.shape)}: shear ${result.shear.toFixed(4)} px/plane, dz ${result.dz.toFixed(5)} µm`);
  return { data: result.data, shape: result.shape, dz: result.dz, ...(reuse && { taken: reuse }) };
}

/** A deskewed stack no longer read: kept for the next deskew of the series. */
function doneWithDeskewed(volume: Deskewed, context: OperationContext): void {
  deskewSlot.give(context.addon, volume.data, volume.taken);
}

async function rotateStack(volume: Deskewed, args: ToolArgs, context: OperationContext): Promise<Deskewed> {
  const dx = args.positive('dx');
  const angle = args.number('angle', -179, 179);
  const result = await runNative(
    () => context.addon.rotate({ image: volume.data, shape: volume.shape, angle, dz: volume.dz, dx, threads: context.threads }),
    `rotating ${formatShape(volume.shape)}`,
    context.signal,
  );
  context.log(`rotated to the coverslip frame: ${formatShape(result.shape)} at ${dx} µm isotropic`);
  return { ...result, dz: dx };
}

const deskew: NativeOperation = async (args, context) => {
  const stack = await readStack(args.path('stack'), 'stack');
  const deskewed = await deskewStack(stack, args, context);
  context.progress(0.7);
  let volume = deskewed;
  try {
    if (args.bool('rotate')) volume = await rotateStack(deskewed, args, context);
    await writeStack(args.path('out-deskewed'), volume.data, volume.shape, volume.dz, args.positive('dx'));
  } finally {
    // Written (or failed): the deskewed array is kept for the next stack of a series; a rotated one goes back to the pool.
    if (volume !== deskewed) context.addon.recycle(volume.data);
    doneWithDeskewed(deskewed, context);
  }
  context.progress(1);
  return { outputShape: volume.shape, dz: volume.dz };
};

const deconvolve: NativeOperation = async (args, context) => {
  const settings = deconSettings(args);
  const stack = await readStack(args.path('stack'), 'stack');
  const dz = args.number('dz', 0) || stack.voxel.z;
  const dx = args.number('dx', 0) || stack.voxel.x;
  // Without voxel sizes the PSF is taken on the data grid (1 × 1: no resampling unless psf_dz/psf_dx say so).
  const result = await deconvolveStack(stack, { dz: dz ?? 1, dx: dx ?? 1 }, args.path('psf'), settings, context, [0, 0.95]);
  await writeStack(args.path('out-deconvolved'), result.data, result.shape, dz, dx);
  context.addon.recycle(result.data);
  context.progress(1);
  return deconFacts(result, settings);
};

const llsm: NativeOperation = async (args, context) => {
  const settings = deconSettings(args);
  const dx = args.positive('dx');
  const stack = await readStack(args.path('stack'), 'stack');
  const deskewed = await deskewStack(stack, args, context);
  await writeStack(args.path('out-deskewed'), deskewed.data, deskewed.shape, deskewed.dz, dx);
  context.progress(0.1);
  let result;
  try {
    result = await deconvolveStack(
      { data: deskewed.data, shape: deskewed.shape, voxel: {} },
      { dz: deskewed.dz, dx },
      args.path('psf'),
      settings,
      context,
      [0.1, 0.9],
    );
  } finally {
    doneWithDeskewed(deskewed, context);
  }
  let volume: Deskewed = { data: result.data, shape: result.shape, dz: deskewed.dz };
  if (args.bool('rotate')) {
    volume = await rotateStack(volume, args, context);
    context.addon.recycle(result.data);
  }
  await writeStack(args.path('out-deconvolved'), volume.data, volume.shape, volume.dz, dx);
  const projections = await runNative(
    () => context.addon.maxProjections({ image: volume.data, shape: volume.shape, threads: context.threads }),
    'projecting',
    context.signal,
  );
  const montage = mipMontage(projections, volume.shape, volume.dz / dx);
  await writeFile(args.path('out-mip'), encodeGrayPng(montage.pixels, montage.width, montage.height));
  context.addon.recycle(volume.data);
  context.progress(1);
  return { ...deconFacts(result, settings), deskewedShape: deskewed.shape, outputShape: volume.shape };
};

/** The in-process operations, by the name that follows `gpu-decon` in a tool's argv. */
export const NATIVE_OPERATIONS: Readonly<Record<string, NativeOperation>> = Object.freeze({ deskew, deconvolve, llsm });
