#!/usr/bin/env node
// bioimageit.threshold: node threshold.mjs --input IMAGE.tif --method otsu|fixed [--value V] [--channel INDEX|NAME] --output MASK.tif
// Writes a uint8 mask, 255 where the pixel is above the threshold, 0 elsewhere. Otsu's threshold
// is computed for each channel and time point on its own, over that channel's whole Z stack
// (never across channels); prints the threshold used for each. The mask keeps the input's axes,
// physical sizes and channel names/colours; with --channel it holds only that channel (C of size 1).
import { otsuThreshold, thresholdMask } from './lib/otsu-threshold.mjs';
import { gatherPlanes, imageVolumes, readImage, scatterPlanes, volumeLabel, writeImage } from './lib/image-volumes.mjs';
import { ArgumentError, choiceArg, numberArg, progress, runToolScript } from './lib/tool-script.mjs';

await runToolScript(
  'threshold',
  ['input', 'method', 'value', 'channel', 'output'],
  async (args) => {
    const method = choiceArg(args.method, 'method', ['otsu', 'fixed']);
    if (method === 'fixed' && args.value === undefined) throw new ArgumentError('--method fixed needs --value');
    const fixed = args.value === undefined ? undefined : numberArg(args.value, 'value');
    progress(0);
    const { pixels, channels, c: selected } = await readImage(args.input, { ...(args.channel !== undefined && { channel: args.channel }) });
    progress(30);
    const planeSize = pixels.shape[pixels.shape.length - 1] * pixels.shape[pixels.shape.length - 2];
    const mask = new Uint8Array(pixels.data.length);
    const volumes = imageVolumes(pixels);
    for (const [k, volume] of volumes.entries()) {
      const values = gatherPlanes(pixels.data, volume.planes, planeSize);
      const threshold = method === 'otsu' ? otsuThreshold(values) : /** @type {number} */ (fixed);
      const part = thresholdMask(values, threshold);
      scatterPlanes(mask, volume.planes, planeSize, part);
      const foreground = part.reduce((n, v) => n + (v === 0 ? 0 : 1), 0);
      const label = volumeLabel(pixels, volume, channels, selected);
      process.stdout.write(`threshold (${method})${label === '' ? '' : ` ${label}`}: ${threshold}; foreground ${foreground} of ${part.length} pixels\n`);
      progress(30 + ((k + 1) / volumes.length) * 50);
    }
    await writeImage(
      args.output,
      { shape: pixels.shape, axes: pixels.axes, dtype: 'uint8', data: mask, ...(pixels.physicalSize !== undefined && { physicalSize: pixels.physicalSize }) },
      channels,
    );
    progress(100);
  },
  { optional: ['value', 'channel'] },
);
