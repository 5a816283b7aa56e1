#!/usr/bin/env node
// bioimageit.extract-channel: node extract-channel.mjs --input IMAGE.tif --channel INDEX|NAME [--t T] --output OUT.tif
// Writes one channel of an image (and, with --t, one time point), reading only those planes. The
// output keeps the input's axes, the C axis (and T with --t) of size 1 (ZCYX 12×3×256×256 in,
// ZCYX 12×1×256×256 out), its pixel type and physical sizes, and that channel's name and colour.
import { axisSize, readImage, writeImage } from './lib/image-volumes.mjs';
import { ArgumentError, numberArg, progress, runToolScript } from './lib/tool-script.mjs';

await runToolScript(
  'extract-channel',
  ['input', 'channel', 't', 'output'],
  async (args) => {
    if (args.channel.trim() === '') throw new ArgumentError('--channel must be a channel index or name, got an empty value');
    const t = args.t === undefined || args.t === '' ? undefined : numberArg(args.t, 't', { min: 0, integer: true });
    progress(0);
    const { pixels, channels, c } = await readImage(args.input, { channel: args.channel, ...(t !== undefined && { t }) });
    progress(70);
    await writeImage(args.output, pixels, channels);
    const name = channels?.[0]?.name;
    process.stdout.write(
      `channel ${c}${name === undefined ? '' : ` (${name})`}${t === undefined ? '' : `, time point ${t}`}: axes ${pixels.axes}, shape [${pixels.shape.join(', ')}]` +
        `${t === undefined && axisSize(pixels, 'T') > 1 ? `, ${axisSize(pixels, 'T')} time points` : ''}\n`,
    );
    progress(100);
  },
  { optional: ['t'] },
);
