#!/usr/bin/env node
// bioimageit.count-objects: node count-objects.mjs --input MASK.tif --connectivity face|full --min-size N --output OBJECTS.csv
// Labels the connected non-zero regions of a 2-D (YX) or 3-D (ZYX) mask and writes one CSV row per
// object: label, voxels, centroid_z, centroid_y, centroid_x (pixels).
import { writeFile } from 'node:fs/promises';
import { formatCsv, readTiffPixels } from '@bioimageit/core/formats';
import { labelComponents } from './lib/connected-components.mjs';
import { objectTableRows } from './lib/object-tables.mjs';
import { choiceArg, numberArg, progress, runToolScript } from './lib/tool-script.mjs';

/**
 * Depth, height and width of a mask: axes YX or ZYX, or those with extra axes of size 1.
 * @param {{ readonly shape: readonly number[]; readonly axes: string }} pixels
 */
function volumeOf(pixels) {
  const { shape, axes } = pixels;
  const size = (axis) => (axes.includes(axis) ? shape[axes.indexOf(axis)] : 1);
  const extra = [...axes].filter((a) => !'ZYX'.includes(a) && size(a) !== 1);
  if (!axes.endsWith('YX') || extra.length > 0 || (axes.includes('Z') && !axes.endsWith('ZYX'))) {
    throw new Error(`expected one 2-D (YX) or 3-D (ZYX) mask, got axes '${axes}' with shape [${shape.join(', ')}]`);
  }
  return { depth: size('Z'), height: size('Y'), width: size('X') };
}

await runToolScript('count-objects', ['input', 'connectivity', 'min-size', 'output'], async (args) => {
  const connectivity = choiceArg(args.connectivity, 'connectivity', ['face', 'full']);
  const minSize = numberArg(args['min-size'], 'min-size', { min: 1, integer: true });
  progress(0);
  const pixels = await readTiffPixels(args.input);
  const volume = volumeOf(pixels);
  progress(30);
  const { objects } = labelComponents(pixels.data, { ...volume, connectivity, minSize });
  process.stdout.write(`${objects.length} object(s) (${connectivity} connectivity, at least ${minSize} voxel(s))\n`);
  progress(80);
  await writeFile(args.output, formatCsv(objectTableRows(objects)));
  progress(100);
});
