import { writeFile } from 'node:fs/promises';
import { detectSpots } from './detect-spots.js';
import { readVolume } from './read-volume.js';
import { formatSpotsCsv } from './spots-csv.js';
import { booleanOption, numberOption, reportProgress, runToolCommand } from './tool-command.js';

/**
 * `tracking.detect-spots`: `--input STACK.tif --radius R --threshold Q [--auto-threshold true]
 * --subpixel true|false [--channel C] [--time T] --output SPOTS.csv`. Finds bright spots in one Z
 * stack (LoG at the radius, in the file's physical unit) and writes one row per spot (physical and
 * voxel positions, quality, mean intensity, radius). With `--auto-threshold`, spots must also pass
 * the automatic quality threshold (`autoQualityThreshold`: outliers of the noise's maxima).
 */
export function detectSpotsCommand(argv: readonly string[]): Promise<void> {
  return runToolCommand(
    'detect-spots',
    argv,
    { required: ['input', 'radius', 'output'], optional: ['threshold', 'auto-threshold', 'subpixel', 'channel', 'time'] },
    async (args) => {
      const radius = numberOption(args, 'radius', { min: 1e-9 });
      const threshold = numberOption(args, 'threshold', { fallback: 0 });
      const subpixel = booleanOption(args, 'subpixel', true);
      const auto = booleanOption(args, 'auto-threshold', false);
      const t = numberOption(args, 'time', { min: 0, integer: true, fallback: 0 });
      reportProgress(0);
      const volume = await readVolume(args['input'] as string, { ...(args['channel'] !== undefined && { channel: args['channel'] }), t });
      reportProgress(20);
      const spots = detectSpots(volume, volume.voxel, { radius, threshold, subpixel, autoThreshold: auto });
      reportProgress(90);
      await writeFile(args['output'] as string, formatSpotsCsv(spots, volume.voxel));
      const [nz, ny, nx] = volume.shape;
      const above = auto ? `the automatic quality threshold (and ${threshold})` : `quality ${threshold}`;
      process.stdout.write(`${spots.length} spot(s) of radius ${radius} ${volume.unit} above ${above} in ${nz}×${ny}×${nx} voxels\n`);
      reportProgress(100);
    },
  );
}
