#!/usr/bin/env node
// bioimageit.count-objects: node count-objects.mjs --input MASK.tif --connectivity face|full --min-size N [--channel INDEX|NAME] --output OBJECTS.csv
// Labels the connected non-zero regions of a mask, each (T, C) volume (a YX plane or a ZYX stack
// of one time point and one channel) on its own, and writes one CSV row per object: label,
// voxels, centroid_z, centroid_y, centroid_x (pixels). A mask of several volumes gets three more
// columns first: t, c (indexes in the input file) and channel (its name, when the file names it);
// labels restart at 1 in each volume. With --channel, only that channel is counted.
import { writeFile } from 'node:fs/promises';
import { formatCsv } from '@bioimageit/core/formats';
import { labelComponents } from './lib/connected-components.mjs';
import { gatherPlanes, imageVolumes, readImage, volumeLabel } from './lib/image-volumes.mjs';
import { objectTableRows, volumeObjectTableRows } from './lib/object-tables.mjs';
import { choiceArg, numberArg, progress, runToolScript } from './lib/tool-script.mjs';

await runToolScript(
  'count-objects',
  ['input', 'connectivity', 'min-size', 'channel', 'output'],
  async (args) => {
    const connectivity = choiceArg(args.connectivity, 'connectivity', ['face', 'full']);
    const minSize = numberArg(args['min-size'], 'min-size', { min: 1, integer: true });
    progress(0);
    const { pixels, channels, c: selected } = await readImage(args.input, { ...(args.channel !== undefined && { channel: args.channel }) });
    progress(30);
    const height = pixels.shape[pixels.shape.length - 2];
    const width = pixels.shape[pixels.shape.length - 1];
    const volumes = imageVolumes(pixels);
    const counted = [];
    for (const [k, volume] of volumes.entries()) {
      const data = gatherPlanes(pixels.data, volume.planes, height * width);
      const { objects } = labelComponents(data, { depth: volume.planes.length, height, width, connectivity, minSize });
      const label = volumeLabel(pixels, volume, channels, selected);
      process.stdout.write(`${label === '' ? '' : `${label}: `}${objects.length} object(s) (${connectivity} connectivity, at least ${minSize} voxel(s))\n`);
      counted.push({ t: volume.t, c: selected ?? volume.c, channel: channels?.[volume.c]?.name ?? '', objects });
      progress(30 + ((k + 1) / volumes.length) * 50);
    }
    if (counted.length > 1) process.stdout.write(`${counted.reduce((n, v) => n + v.objects.length, 0)} object(s) in ${counted.length} volumes\n`);
    const rows = counted.length === 1 ? objectTableRows(/** @type {(typeof counted)[0]} */ (counted[0]).objects) : volumeObjectTableRows(counted);
    await writeFile(args.output, formatCsv(rows));
    progress(100);
  },
  { optional: ['channel'] },
);
