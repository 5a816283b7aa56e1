import { writeFile } from 'node:fs/promises';
import { otsuThreshold } from '@bioimageit/core';
import { detectSpots } from './detect-spots.js';
import { readVolume } from './read-volume.js';
import { formatSpotsCsv } from './spots-csv.js';
import { booleanOption, numberOption, reportProgress, runToolCommand } from './tool-command.js';

/**
 * `tracking.detect-spots`: `--input STACK.tif --radius R --threshold Q [--auto-threshold true]
 * --subpixel true|false [--channel C] [--time T] --output SPOTS.csv`. Finds bright spots in one Z
 * stack (LoG at the radius, in the file's physical unit) and writes one row per spot (physical and
 * voxel positions, quality, mean intensity, radius). With `--auto-threshold`, spots must also pass
 * Otsu's threshold of the candidates' qualities (TrackMate's "Auto" threshold on quality).
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
      const candidates = detectSpots(volume, volume.voxel, { radius, threshold, subpixel });
      const floor =
        auto && candidates.length > 1
          ? Math.max(
              threshold,
              otsuThreshold(
                Float64Array.from(candidates, (s) => s.quality),
                false,
              ),
            )
          : threshold;
      const spots = floor === threshold ? candidates : candidates.filter((s) => s.quality > floor).map((s, id) => ({ ...s, id }));
      reportProgress(90);
      await writeFile(args['output'] as string, formatSpotsCsv(spots, volume.voxel));
      const [nz, ny, nx] = volume.shape;
      const chosen = auto ? ` (Otsu's threshold of ${candidates.length} candidates: ${floor.toPrecision(4)})` : '';
      process.stdout.write(
        `${spots.length} spot(s) of radius ${radius} ${volume.unit} above quality ${floor.toPrecision(4)}${chosen} in ${nz}×${ny}×${nx} voxels\n`,
      );
      reportProgress(100);
    },
  );
}
