import type { NativeProjections } from './native-addon.js';

/** An 8-bit image ready for {@link encodeGrayPng}. */
export interface GrayImage {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Value at fraction `q` of the sorted samples (a strided subsample keeps large projections cheap). */
function quantile(values: Float32Array, q: number): number {
  const step = Math.max(1, Math.floor(values.length / 65536));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) sample.push(values[i] as number);
  sample.sort((a, b) => a - b);
  return sample[Math.min(sample.length - 1, Math.floor(q * (sample.length - 1)))] ?? 0;
}

/**
 * Lays the three maximum projections of a z×y×x volume out as one picture: XY on top, XZ below it,
 * YZ to the right (z stretched by `zScale` = dz/dx so the aspect is physical), with a 0.1–99.9 %
 * stretch shared by all three and a 2-pixel black gutter.
 */
export function mipMontage(p: NativeProjections, shape: readonly [number, number, number], zScale = 1): GrayImage {
  const [nz, ny, nx] = shape;
  const zRows = Math.max(1, Math.round(nz * Math.max(zScale, 1e-3)));
  const gap = 2;
  const width = nx + gap + zRows;
  const height = ny + gap + zRows;
  const all = new Float32Array(p.z.length + p.y.length + p.x.length);
  all.set(p.z, 0);
  all.set(p.y, p.z.length);
  all.set(p.x, p.z.length + p.y.length);
  const low = quantile(all, 0.001);
  const high = quantile(all, 0.999);
  const scale = high > low ? 255 / (high - low) : 0;
  const grey = (v: number): number => Math.max(0, Math.min(255, Math.round((v - low) * scale)));
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) pixels[y * width + x] = grey(p.z[y * nx + x] as number);
  for (let r = 0; r < zRows; r++) {
    const z = Math.min(nz - 1, Math.floor(r / Math.max(zScale, 1e-3)));
    for (let x = 0; x < nx; x++) pixels[(ny + gap + r) * width + x] = grey(p.y[z * nx + x] as number);
    for (let y = 0; y < ny; y++) pixels[y * width + nx + gap + r] = grey(p.x[z * ny + y] as number);
  }
  return { pixels, width, height };
}
