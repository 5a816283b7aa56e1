import { readFile, writeFile } from 'node:fs/promises';
import { maxProjectZ } from './max-projection.js';
import { writeMipSeries } from './mip-series-tiff.js';
import { readVolume } from './read-volume.js';
import { renderTrackMovie } from './render-track-movie.js';
import { numberOption, readListFile, reportProgress, runToolCommand } from './tool-command.js';
import { parseTracksCsv } from './tracks-csv.js';

/**
 * `tracking.render-tracks`: `--stacks LIST --tracks TRACKS.csv [--tail N] [--fps F] [--max-size PX]
 * [--channel C] --mips OUT.ome.tif --movie OUT.png`. The maximum projection of each stack of a time
 * series (in time order), written as one TYX OME-TIFF, and an animated PNG of those projections
 * with the tracks drawn (the last `tail` frames of each, one colour per track).
 */
export function renderTracksCommand(argv: readonly string[]): Promise<void> {
  return runToolCommand(
    'render-tracks',
    argv,
    { required: ['stacks', 'tracks', 'mips', 'movie'], optional: ['tail', 'fps', 'max-size', 'channel'] },
    async (args) => {
      const tail = numberOption(args, 'tail', { min: 0, max: 10_000, integer: true, fallback: 10 });
      const fps = numberOption(args, 'fps', { min: 0.1, max: 100, fallback: 5 });
      const maxSize = numberOption(args, 'max-size', { min: 16, max: 8192, integer: true, fallback: 1024 });
      const stacks = await readListFile(args['stacks'] as string, 'stacks');
      const trackFiles = await readListFile(args['tracks'] as string, 'tracks');
      if (trackFiles.length !== 1) throw new Error(`input 'tracks' must be one tracks table for the series, got ${trackFiles.length}`);
      const result = parseTracksCsv(await readFile(trackFiles[0] as string, 'utf8'));
      reportProgress(0);
      const mips: Float32Array[] = [];
      let size: { width: number; height: number } | undefined;
      let voxel = { x: 1, y: 1 };
      let unit = 'pixel';
      for (const [frame, file] of stacks.entries()) {
        const volume = await readVolume(file, { ...(args['channel'] !== undefined && { channel: args['channel'] }) });
        const [, ny, nx] = volume.shape;
        if (size === undefined) {
          size = { width: nx, height: ny };
          voxel = volume.voxel;
          unit = volume.unit;
        } else if (size.width !== nx || size.height !== ny) {
          throw new Error(`${file}: ${nx}×${ny} pixels, but the first stack of the series has ${size.width}×${size.height}`);
        }
        mips.push(maxProjectZ(volume));
        reportProgress((60 * (frame + 1)) / stacks.length);
      }
      const { width, height } = size as { width: number; height: number };
      await writeMipSeries(args['mips'] as string, mips, {
        width,
        height,
        pixelSize: { x: voxel.x, y: voxel.y, unit },
        frameInterval: result.frameInterval,
        timeUnit: result.timeUnit,
      });
      reportProgress(75);
      const movie = renderTrackMovie({ mips, width, height, result, pixelSize: voxel }, { tail, delayMs: Math.round(1000 / fps), maxSize });
      await writeFile(args['movie'] as string, movie.apng);
      process.stdout.write(`${result.tracks.length} track(s) drawn over ${mips.length} maximum projection(s) of ${width}×${height}\n`);
      reportProgress(100);
    },
  );
}
