#!/usr/bin/env node
// bioimageit.gaussian-blur: node blur.mjs --input IMAGE.tif --sigma S --output OUT.tif
// Smooths every YX plane with a Gaussian of S pixels; the output keeps shape, axes, physical
// sizes and pixel type.
import { readTiffPixels, writeTiff } from '@bioimageit/core/formats';
import { gaussianBlur } from './lib/gaussian-blur.mjs';
import { numberArg, progress, runToolScript } from './lib/tool-script.mjs';

await runToolScript('gaussian-blur', ['input', 'sigma', 'output'], async (args) => {
  const sigma = numberArg(args.sigma, 'sigma', { min: 0, max: 50 });
  progress(0);
  const pixels = await readTiffPixels(args.input);
  progress(30);
  const blurred = gaussianBlur(pixels, sigma);
  progress(80);
  await writeTiff(args.output, blurred);
  progress(100);
});
