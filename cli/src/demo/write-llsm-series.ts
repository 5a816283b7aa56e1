import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTiff } from '@bioimageit/core';
import { formatTracksCsv } from '@bioimageit/tracking';
import type { LlsmSeries } from './synthetic-llsm.js';

/** Where {@link writeLlsmSeries} put a series. */
export interface WrittenLlsmSeries {
  /** Frame files relative to the folder, by frame: `cell1/cell1_t000.ome.tif`, … */
  readonly frames: readonly string[];
  /** `cell1_psf.ome.tif`. */
  readonly psf: string;
  /** `cell1_truth_tracks.csv`. */
  readonly truth: string;
}

/** The `--tag-regex` that tags frame files with `Cell` and `T` on `bioimageit import` (with `--glob 'cell*\/*.ome.tif'`). */
export const LLSM_TAG_REGEX = 'cell(?<Cell>\\d+)_t(?<T>\\d+)';

/**
 * Writes a series below `folder` for cell `cell` (default 1):
 * - `cell<N>/cell<N>_t<TTT>.ome.tif`: the raw stacks, uint16 ZYX OME-TIFF with physical sizes
 *   z = stage step, y = x = pixel size (µm); `TTT` the frame from 000 (wider past 999 frames);
 * - `cell<N>_psf.ome.tif`: the PSF, float32 ZYX with the deskewed voxel size;
 * - `cell<N>_truth_tracks.csv`: the ground truth (`formatTracksCsv`; lone spots have an empty
 *   track_id), in deskewed physical coordinates (µm).
 * `bioimageit import <folder> -r --glob 'cell*\/*.ome.tif' --tag-regex '<LLSM_TAG_REGEX>'` tags
 * each frame with `Cell` and `T` (zero-padded numbers, compared as numbers by queries); the PSF and
 * truth stay outside the cell folders so the glob leaves them out. Resolves to the paths written.
 */
export async function writeLlsmSeries(folder: string, series: LlsmSeries, options: { readonly cell?: number } = {}): Promise<WrittenLlsmSeries> {
  const cell = options.cell ?? 1;
  if (!Number.isInteger(cell) || cell < 1) throw new RangeError(`cell must be a positive integer, got ${cell}`);
  const name = `cell${cell}`;
  await mkdir(join(folder, name), { recursive: true });
  const digits = Math.max(3, String(series.frames.length - 1).length);
  const frames: string[] = [];
  for (const [t, stack] of series.frames.entries()) {
    const relative = join(name, `${name}_t${String(t).padStart(digits, '0')}.ome.tif`);
    const { z, y, x } = stack.physicalSize;
    await writeTiff(
      join(folder, relative),
      {
        data: stack.data,
        shape: stack.shape,
        dtype: 'uint16',
        axes: 'ZYX',
        physicalSize: { z: { value: z, unit: 'µm' }, y: { value: y, unit: 'µm' }, x: { value: x, unit: 'µm' } },
      },
      { ome: true },
    );
    frames.push(relative);
  }
  const psf = `${name}_psf.ome.tif`;
  const p = series.psf.physicalSize;
  await writeTiff(
    join(folder, psf),
    {
      data: series.psf.data,
      shape: series.psf.shape,
      dtype: 'float32',
      axes: 'ZYX',
      physicalSize: { z: { value: p.z, unit: 'µm' }, y: { value: p.y, unit: 'µm' }, x: { value: p.x, unit: 'µm' } },
    },
    { ome: true },
  );
  const truth = `${name}_truth_tracks.csv`;
  await writeFile(join(folder, truth), formatTracksCsv(series.truth));
  return { frames, psf, truth };
}
