import type { FormatCodec, PixelArray } from '../extension-points/format-codec.js';
import { FormatError } from '../errors/area-errors.js';
import { pixelDataConstructor } from './pixel-dtype.js';

/** Which plane to read: time point, channel, and one z-plane or the maximum over Z. */
export interface PlaneChoice {
  readonly t?: number;
  readonly c?: number;
  /** A z index, or `max` for the maximum-intensity projection (default `max`). */
  readonly z?: number | 'max';
}

/**
 * Reads one displayable plane of an image file with bounded memory: time point `t` and channel `c`
 * (default 0), and z-plane `z` or the maximum over Z, as a PixelArray of axes `YX` (or `YXS` for
 * RGB) in the file's pixel type. The stack of the time point and channel is read at once when it
 * fits `maxBytes`; otherwise the maximum is accumulated one z-plane at a time (memory holds two
 * planes whatever the depth), each read limited to `maxBytes` of decoded pixels (FormatError
 * `TOO_LARGE` before any decoding). Codecs without {@link FormatCodec.readFileMetadata} can only
 * be read at once.
 *
 * Throws RangeError for indices outside the image, and the codec's errors.
 */
export async function readPlane(codec: FormatCodec, path: string, choice: PlaneChoice, maxBytes: number): Promise<PixelArray> {
  if (codec.readPixels === undefined) throw new TypeError(`format '${codec.id}' has no pixel reader`);
  const select = { T: choice.t ?? 0, C: choice.c ?? 0 };
  const z = choice.z ?? 'max';
  if (z !== 'max') return codec.readPixels(path, { select: { ...select, Z: z }, maxBytes });
  let tooLarge: FormatError;
  try {
    return project(await codec.readPixels(path, { select, maxBytes }));
  } catch (error) {
    // the whole stack over the limit: go plane by plane when the codec can say how deep it is
    if (!(error instanceof FormatError && error.code === 'TOO_LARGE') || codec.readFileMetadata === undefined) throw error;
    tooLarge = error;
  }
  const meta = await codec.readFileMetadata(path);
  const zAt = typeof meta.axes === 'string' ? meta.axes.indexOf('Z') : -1;
  const depth = zAt >= 0 && Array.isArray(meta.shape) ? Number(meta.shape[zAt]) : 1;
  if (depth <= 1) throw tooLarge; // one plane, and it alone is over the limit
  let result: PixelArray | undefined;
  for (let index = 0; index < depth; index++) {
    const plane = await codec.readPixels(path, { select: { ...select, Z: index }, maxBytes });
    if (result === undefined) result = plane;
    else maxInto(result.data, plane.data);
  }
  return result!;
}

/** The maximum over Z of an image whose only leading axis left is Z (or none). */
function project(pixels: PixelArray): PixelArray {
  const zAt = pixels.axes.indexOf('Z');
  if (zAt < 0) return pixels;
  const depth = pixels.shape[zAt]!;
  const planeSize = pixels.data.length / depth;
  const out = new (pixelDataConstructor(pixels.dtype))(planeSize);
  out.set(pixels.data.subarray(0, planeSize));
  for (let z = 1; z < depth; z++) maxInto(out, pixels.data.subarray(z * planeSize, (z + 1) * planeSize));
  return { ...pixels, data: out, shape: pixels.shape.filter((_, i) => i !== zAt), axes: pixels.axes.replace('Z', '') };
}

function maxInto(target: PixelArray['data'], source: PixelArray['data']): void {
  for (let i = 0; i < target.length; i++) if ((source[i] as number) > (target[i] as number)) target[i] = source[i] as number;
}
