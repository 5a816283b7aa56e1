import { writeTiff } from '@bioimageit/core';

/** Geometry and calibration of a projection series, for {@link writeMipSeries}. */
export interface MipSeriesOptions {
  readonly width: number;
  readonly height: number;
  /** Physical size of a pixel along x and y, and its unit (`µm`). */
  readonly pixelSize: { readonly x: number; readonly y: number; readonly unit: string };
  /** Time between two frames, in `timeUnit`. */
  readonly frameInterval: number;
  /** Unit of `frameInterval` (`s`, `min`, `ms`, ...). */
  readonly timeUnit: string;
}

/**
 * Writes maximum projections over time as one OME-TIFF (atomically, through core's `writeTiff`):
 * float32 pixels, axes `TYX` (OME DimensionOrder `XYTZC`, SizeT = number of projections), one page
 * per frame, with `PhysicalSizeX/Y` and `TimeIncrement` so that the GUI viewer shows the series
 * with its time slider and scale. Name the file `*.ome.tif`.
 *
 * Throws RangeError for no projections or one that is not `width × height` values; FormatError
 * `IO` (naming `path`) when the file cannot be written.
 */
export async function writeMipSeries(path: string, mips: readonly Float32Array[], options: MipSeriesOptions): Promise<void> {
  const { width, height, pixelSize, frameInterval, timeUnit } = options;
  if (mips.length === 0) throw new RangeError('a projection series needs at least one projection');
  const plane = width * height;
  const data = new Float32Array(plane * mips.length);
  mips.forEach((mip, t) => {
    if (mip.length !== plane) throw new RangeError(`projection ${t} has ${mip.length} values, not ${width}×${height}`);
    data.set(mip, t * plane);
  });
  await writeTiff(
    path,
    {
      data,
      shape: [mips.length, height, width],
      dtype: 'float32',
      axes: 'TYX',
      physicalSize: {
        x: { value: pixelSize.x, unit: pixelSize.unit },
        y: { value: pixelSize.y, unit: pixelSize.unit },
        t: { value: frameInterval, unit: timeUnit },
      },
    },
    { ome: true },
  );
}
