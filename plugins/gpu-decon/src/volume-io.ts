import { readTiffPixels, ToolError, writeTiff, type PixelArray } from '@bioimageit/core';

/** A z×y×x stack in memory: float32, or uint16 kept as is (the addon reads both without a copy). */
export interface Stack {
  readonly data: Float32Array | Uint16Array;
  readonly shape: [number, number, number];
  /** Voxel size in micrometres, when the file records it. */
  readonly voxel: { readonly z?: number; readonly x?: number };
}

const MICRONS: Readonly<Record<string, number>> = { µm: 1, um: 1, micron: 1, nm: 1e-3, mm: 1e3, m: 1e6 };

function microns(size: { value: number; unit: string } | undefined): number | undefined {
  if (size === undefined) return undefined;
  const factor = MICRONS[size.unit];
  return factor === undefined ? undefined : size.value * factor;
}

/**
 * Reads a TIFF/OME-TIFF as a z×y×x stack. Axes of size 1 (T, C) are dropped, a single plane is a
 * stack of one; uint16 stays uint16, every other pixel type becomes float32.
 *
 * @throws ToolError BAD_PARAMETER naming `path` and `role` when the image is not one 3-D stack (several
 * channels or time points, RGB samples); FormatError when the file cannot be read.
 */
export async function readStack(path: string, role: string): Promise<Stack> {
  const pixels = await readTiffPixels(path);
  return toStack(pixels, path, role);
}

/** {@link readStack} for pixels already in memory. */
export function toStack(pixels: PixelArray, path: string, role: string): Stack {
  const kept: number[] = [];
  let axes = '';
  pixels.shape.forEach((size, i) => {
    const axis = pixels.axes[i] as string;
    if (axis === 'Z' || axis === 'Y' || axis === 'X' || size !== 1) {
      kept.push(size);
      axes += axis;
    }
  });
  if (axes === 'YX') {
    kept.unshift(1);
    axes = 'ZYX';
  }
  if (axes !== 'ZYX') {
    throw new ToolError(
      'BAD_PARAMETER',
      `${role} ${path} has axes ${pixels.axes} [${pixels.shape.join(', ')}]; one z-y-x stack (single channel and time point) is needed`,
      {
        details: { file: path, axes: pixels.axes, shape: [...pixels.shape] },
      },
    );
  }
  const data = pixels.data instanceof Uint16Array || pixels.data instanceof Float32Array ? pixels.data : Float32Array.from(pixels.data);
  const z = microns(pixels.physicalSize?.z);
  const x = microns(pixels.physicalSize?.x);
  return { data, shape: [kept[0] as number, kept[1] as number, kept[2] as number], voxel: { ...(z !== undefined && { z }), ...(x !== undefined && { x }) } };
}

/**
 * Writes a float32 z×y×x stack as OME-TIFF with physical sizes in µm (dz between planes, dx = dy);
 * a size left undefined is not written.
 */
export async function writeStack(
  path: string,
  data: Float32Array,
  shape: readonly [number, number, number],
  dz: number | undefined,
  dx: number | undefined,
): Promise<void> {
  const micron = (value: number | undefined) => (value !== undefined && value > 0 ? { value, unit: 'µm' } : undefined);
  const z = micron(dz);
  const x = micron(dx);
  await writeTiff(path, { data, shape: [...shape], dtype: 'float32', axes: 'ZYX', physicalSize: { ...(z && { z }), ...(x && { x, y: x }) } }, { ome: true });
}
