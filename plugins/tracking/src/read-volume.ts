import { readTiffFileLayout, readTiffPixels } from '@bioimageit/core/formats';

/** One 3-D volume of an image file, as detection and rendering read it. */
export interface Volume {
  /** Pixels in Z, Y, X order (C order), any numeric type. */
  readonly data: ArrayLike<number>;
  readonly shape: readonly [number, number, number];
  /** Voxel size along each axis in `unit` (1 `pixel` when the file does not say). */
  readonly voxel: { readonly x: number; readonly y: number; readonly z: number };
  readonly unit: string;
  /** Time between frames when the file says (its T increment), else undefined. */
  readonly frameInterval?: { readonly value: number; readonly unit: string };
}

/**
 * Reads the Z stack of one channel and one time point of a TIFF / OME-TIFF: `channel` is an index
 * (0 first) or a channel name (case-insensitive); a file with several channels needs one, a file
 * with several time points is read at `t` (default 0). Only those planes are read. Voxel sizes come
 * from the file's physical sizes (X for Y too when Y is absent; 1 `pixel` when none).
 *
 * @throws Error naming the file when the channel or time point does not exist, or the file has
 *   several channels and none is chosen.
 */
export async function readVolume(path: string, options: { channel?: string; t?: number } = {}): Promise<Volume> {
  const meta = readTiffFileLayout(path).metadata;
  const axes = meta.axes ?? '';
  const shape = meta.shape ?? [];
  const size = (axis: string): number => (axes.includes(axis) ? (shape[axes.indexOf(axis)] as number) : 1);
  if (axes.includes('S') && size('S') > 1)
    throw new Error(`${path}: an RGB image (${size('S')} samples per pixel) is not a fluorescence stack; give one channel per plane`);
  const select: { T?: number; C?: number } = {};
  const channels = size('C');
  if (channels > 1 || (options.channel ?? '').trim() !== '') {
    const spec = (options.channel ?? '').trim();
    if (spec === '') throw new Error(`${path}: the image has ${channels} channels: choose one (channel: an index 0 to ${channels - 1} or a name)`);
    select.C = channelIndex(spec, meta.channels, channels, path);
  }
  const t = options.t ?? 0;
  if (!Number.isInteger(t) || t < 0 || t >= size('T')) throw new Error(`${path}: no time point ${t} (the file has ${size('T')})`);
  if (axes.includes('T')) select.T = t;
  const pixels = await readTiffPixels(path, { select });
  const [nz, ny, nx] = [size('Z'), size('Y'), size('X')];
  const ps = meta.physicalSize ?? {};
  const x = ps.x?.value ?? 1;
  const unit = ps.x?.unit ?? 'pixel';
  return {
    data: pixels.data,
    shape: [nz, ny, nx],
    voxel: { x, y: ps.y?.value ?? x, z: ps.z?.value ?? x },
    unit,
    ...(meta.timeIncrement !== undefined && { frameInterval: meta.timeIncrement }),
  };
}

function channelIndex(spec: string, described: readonly { name?: string }[] | undefined, count: number, path: string): number {
  if (/^\d+$/.test(spec)) {
    const index = Number(spec);
    if (index < count) return index;
    throw new Error(`${path}: no channel ${index}: the file has ${count} channel(s), indexes 0 to ${count - 1}`);
  }
  const index = (described ?? []).findIndex((c) => c.name?.trim().toLowerCase() === spec.toLowerCase());
  if (index >= 0) return index;
  const names = (described ?? []).map((c, k) => c.name ?? `#${k}`).join(', ');
  throw new Error(`${path}: no channel named '${spec}' (the file's channels: ${names || `${count} unnamed`})`);
}
