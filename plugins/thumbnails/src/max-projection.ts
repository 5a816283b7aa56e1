import { FormatError, type PixelArray } from '@bioimageit/core';

/** A 2-D image ready for display: `channels` values a pixel (1 grey, 3 RGB), interleaved, row-major. */
export interface DisplayPlane {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Float32Array;
}

/**
 * The maximum-intensity projection along Z of the first time point and first channel of an
 * image (`TCZYXS` axes, slowest first). Samples (`S`) are kept as colour when there are 3 or 4
 * of them (RGB, RGBA: alpha is dropped); otherwise the first sample is used. NaN values are
 * ignored (a pixel that is NaN in every plane reads as -Infinity). Throws FormatError
 * UNSUPPORTED when the image has no Y and X axes or its shape does not match its axes.
 */
export function maxProjection(pixels: PixelArray): DisplayPlane {
  const { axes, shape, data } = pixels;
  const bad = (why: string) => new FormatError('UNSUPPORTED', `cannot project an image with axes '${axes}' and shape [${shape.join(', ')}]: ${why}`);
  if (axes.length !== shape.length) throw bad('axes and shape differ in length');
  const y = axes.indexOf('Y');
  const x = axes.indexOf('X');
  if (y < 0 || x < 0) throw bad('it has no Y and X axes');
  const strides = new Array<number>(shape.length);
  let size = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = size;
    size *= shape[i] as number;
  }
  if (size !== data.length) throw bad(`it holds ${data.length} values, the shape needs ${size}`);
  const along = (letter: string): { size: number; stride: number } => {
    const at = axes.indexOf(letter);
    return at < 0 ? { size: 1, stride: 0 } : { size: shape[at] as number, stride: strides[at] as number };
  };
  const height = shape[y] as number;
  const width = shape[x] as number;
  const z = along('Z');
  const s = along('S');
  const channels = s.size === 3 || s.size === 4 ? 3 : 1;
  const sy = strides[y] as number;
  const sx = strides[x] as number;
  const out = new Float32Array(width * height * channels).fill(-Infinity);
  for (let plane = 0; plane < z.size; plane++) {
    const base = plane * z.stride;
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        const from = base + row * sy + col * sx;
        const to = (row * width + col) * channels;
        for (let c = 0; c < channels; c++) {
          const value = data[from + c * s.stride] as number;
          if (value > (out[to + c] as number)) out[to + c] = value;
        }
      }
    }
  }
  return { width, height, channels, data: out };
}
