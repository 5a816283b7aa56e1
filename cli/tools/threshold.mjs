#!/usr/bin/env node
// bioimageit.threshold: node threshold.mjs --input IMAGE.tif --method otsu|fixed [--value V] --output MASK.tif
// Writes a uint8 mask, 255 where the pixel is above the threshold (Otsu's, or the fixed value),
// 0 elsewhere; prints the threshold used.
import { readTiffPixels, writeTiff } from '@bioimageit/core/formats';
import { otsuThreshold, thresholdMask } from './lib/otsu-threshold.mjs';
import { checkPlanes } from './lib/pixel-planes.mjs';
import { ArgumentError, choiceArg, numberArg, progress, runToolScript } from './lib/tool-script.mjs';

await runToolScript(
  'threshold',
  ['input', 'method', 'value', 'output'],
  async (args) => {
    const method = choiceArg(args.method, 'method', ['otsu', 'fixed']);
    if (method === 'fixed' && args.value === undefined) throw new ArgumentError('--method fixed needs --value');
    const fixed = args.value === undefined ? undefined : numberArg(args.value, 'value');
    progress(0);
    const pixels = await readTiffPixels(args.input);
    checkPlanes(pixels);
    progress(40);
    const threshold = method === 'otsu' ? otsuThreshold(pixels.data) : /** @type {number} */ (fixed);
    const mask = thresholdMask(pixels.data, threshold);
    const foreground = mask.reduce((n, v) => n + (v === 0 ? 0 : 1), 0);
    process.stdout.write(`threshold (${method}): ${threshold}; foreground ${foreground} of ${mask.length} pixels\n`);
    progress(80);
    await writeTiff(args.output, {
      shape: pixels.shape,
      axes: pixels.axes,
      dtype: 'uint8',
      data: mask,
      ...(pixels.physicalSize !== undefined && { physicalSize: pixels.physicalSize }),
    });
    progress(100);
  },
  { optional: ['value'] },
);
