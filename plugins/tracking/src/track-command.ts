import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { readTiffFileLayout } from '@bioimageit/core/formats';
import { trackSpots } from './lap-tracker.js';
import { parseSpotsCsv } from './spots-csv.js';
import { booleanOption, numberOption, readListFile, reportProgress, runToolCommand, type ToolArgs } from './tool-command.js';
import type { Spot, TrackedImage, TrackingResult } from './track-model.js';
import { formatTrackMateXml } from './trackmate-xml.js';
import type { TrackMateTrackerSettings } from './trackmate-xml-settings.js';
import { formatTracksCsv } from './tracks-csv.js';

/**
 * `tracking.track`: `--spots LIST --max-distance D [--gap-distance G] [--max-gap N] [--splitting b]
 * [--merging b] [--frame-interval S] [--min-spots N] [--stacks LIST] --tracks OUT.csv --trackmate
 * OUT.xml`. The spots tables of one time series, in time order (a grouped input ordered by T: frame
 * k is the k-th file), linked by the LAP tracker; writes the tracks table and TrackMate XML. The
 * optional stacks (same count and order) give the XML its image facts (file, size, voxel size).
 */
export function trackCommand(argv: readonly string[]): Promise<void> {
  return runToolCommand(
    'track',
    argv,
    {
      required: ['spots', 'max-distance', 'tracks', 'trackmate'],
      optional: ['gap-distance', 'max-gap', 'splitting', 'merging', 'frame-interval', 'min-spots', 'stacks', 'time-unit'],
    },
    async (args) => {
      const options = trackerOptions(args);
      const frameInterval = numberOption(args, 'frame-interval', { min: 1e-12, fallback: 1 });
      const minSpots = numberOption(args, 'min-spots', { min: 2, integer: true, fallback: 2 });
      const files = await readListFile(args['spots'] as string, 'spots');
      const stacks = args['stacks'] === undefined || args['stacks'] === '' ? [] : await readListFile(args['stacks'], 'stacks');
      if (stacks.length > 0 && stacks.length !== files.length)
        throw new Error(`inputs 'spots' (${files.length} files) and 'stacks' (${stacks.length}) must list one file per time point each, in the same order`);
      reportProgress(0);
      const spots: Spot[] = [];
      for (const [frame, file] of files.entries()) {
        let read: Spot[];
        try {
          read = parseSpotsCsv(await readFile(file, 'utf8'), frame);
        } catch (error) {
          throw new Error(`${file} (frame ${frame}): ${(error as Error).message}`, { cause: error });
        }
        // ids unique over the series: numbered after the spots already read
        spots.push(...read.map((s, k) => ({ ...s, id: spots.length + k })));
      }
      reportProgress(30);
      const tracks = trackSpots(spots, options).filter((t) => t.spotIds.length >= minSpots);
      reportProgress(80);
      const image = stacks.length > 0 ? imageFacts(stacks) : undefined;
      const result: TrackingResult = {
        spots,
        tracks: tracks.map((t, id) => ({ ...t, id })),
        spaceUnit: image?.unit ?? 'µm',
        timeUnit: args['time-unit'] || 's',
        frameInterval,
        ...(image !== undefined && { image: image.facts }),
      };
      await writeFile(args['tracks'] as string, formatTracksCsv(result));
      const radius = spots.find((s) => Number.isFinite(s.radius))?.radius;
      await writeFile(
        args['trackmate'] as string,
        formatTrackMateXml(result, { tracker: trackerSettings(options), ...(radius !== undefined && { detector: { radius, doSubpixelLocalization: true } }) }),
      );
      const linked = result.tracks.reduce((n, t) => n + t.spotIds.length, 0);
      process.stdout.write(`${result.tracks.length} track(s) over ${files.length} frame(s): ${linked} of ${spots.length} spot(s) linked\n`);
      reportProgress(100);
    },
  );
}

type TrackerOptions = Parameters<typeof trackSpots>[1];

function trackerOptions(args: ToolArgs): TrackerOptions {
  const maxLinkingDistance = numberOption(args, 'max-distance', { min: 1e-12 });
  return {
    maxLinkingDistance,
    maxGapClosingDistance: numberOption(args, 'gap-distance', { min: 0, fallback: 0 }) || maxLinkingDistance,
    maxFrameGap: numberOption(args, 'max-gap', { min: 0, max: 1000, integer: true, fallback: 2 }),
    allowSplitting: booleanOption(args, 'splitting', false),
    allowMerging: booleanOption(args, 'merging', false),
  };
}

/** The tracker's settings in TrackMate's terms (its MAX_FRAME_GAP counts frames between linked spots: ours + 1). */
function trackerSettings(options: TrackerOptions): Partial<TrackMateTrackerSettings> {
  const gap = options.maxFrameGap ?? 2;
  return {
    linkingMaxDistance: options.maxLinkingDistance,
    allowGapClosing: gap > 0,
    gapClosingMaxDistance: options.maxGapClosingDistance ?? options.maxLinkingDistance,
    maxFrameGap: gap + 1,
    allowTrackSplitting: options.allowSplitting ?? false,
    splittingMaxDistance: options.splittingMaxDistance ?? options.maxLinkingDistance,
    allowTrackMerging: options.allowMerging ?? false,
    mergingMaxDistance: options.mergingMaxDistance ?? options.maxLinkingDistance,
  };
}

/** TrackMate's ImageData from the first stack's header (the series is one image of `files.length` frames). */
function imageFacts(files: readonly string[]): { facts: TrackedImage; unit: string } {
  const first = files[0] as string;
  const meta = readTiffFileLayout(first).metadata;
  const axes = meta.axes ?? '';
  const size = (axis: string): number => (axes.includes(axis) ? (meta.shape?.[axes.indexOf(axis)] ?? 1) : 1);
  const ps = meta.physicalSize ?? {};
  const x = ps.x?.value ?? 1;
  return {
    unit: ps.x?.unit ?? 'pixel',
    facts: {
      filename: basename(first),
      folder: dirname(first),
      width: size('X'),
      height: size('Y'),
      nslices: size('Z'),
      nframes: files.length,
      pixelWidth: x,
      pixelHeight: ps.y?.value ?? x,
      voxelDepth: ps.z?.value ?? x,
    },
  };
}
