#!/usr/bin/env node
// bioimageit.gaussian-blur: node blur.mjs --input IMAGE.tif --sigma S [--channel INDEX|NAME] --output OUT.tif
// Smooths every YX plane with a Gaussian of S pixels (planes, channels and time points never mix);
// the output keeps axes, physical sizes, pixel type and channel names/colours. With --channel,
// only that channel is blurred and written (the C axis kept, of size 1).
import { gaussianBlur } from './lib/gaussian-blur.mjs';
import { readImage, writeImage } from './lib/image-volumes.mjs';
import { numberArg, progress, runToolScript } from './lib/tool-script.mjs';

await runToolScript(
  'gaussian-blur',
  ['input', 'sigma', 'channel', 'output'],
  async (args) => {
    const sigma = numberArg(args.sigma, 'sigma', { min: 0, max: 50 });
    progress(0);
    const { pixels, channels } = await readImage(args.input, { ...(args.channel !== undefined && { channel: args.channel }) });
    progress(30);
    const blurred = gaussianBlur(pixels, sigma);
    progress(80);
    await writeImage(args.output, blurred, channels);
    progress(100);
  },
  { optional: ['channel'] },
);
