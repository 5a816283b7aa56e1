import { ToolError } from '@bioimageit/core';
import { formatCsv } from '@bioimageit/core/formats';
import { readCsvTable, spotOfRecord, type CsvRecord } from './spots-csv-table.js';
import type { Spot, Track, TrackEdge, TrackingResult } from './track-model.js';

/** Columns of the tracks CSV a reader needs, in order. Positions are physical; `t` is `frame · frameInterval`. */
export const TRACKS_CSV_COLUMNS = ['track_id', 'spot_id', 'frame', 't', 'z', 'y', 'x', 'quality', 'intensity', 'radius'] as const;

/**
 * The last column {@link formatTracksCsv} writes: the ids of the spots linked into this one from
 * earlier frames, `;`-separated (empty for a track's first spot and lone spots). It carries splits
 * (two spots naming one parent) and merges (a spot naming two). Optional when reading.
 */
export const PARENT_IDS_COLUMN = 'parent_ids';

/** Options of {@link parseTracksCsv}. */
export interface TracksCsvParseOptions {
  /** Time between frames; default: `t / frame` of the first row with `frame > 0`, else 1. */
  readonly frameInterval?: number;
  /** Default `µm`: the CSV does not carry units. */
  readonly spaceUnit?: string;
  /** Default `s`. */
  readonly timeUnit?: string;
}

/**
 * Writes a tracking result as a flat CSV, one row per spot with the header {@link
 * TRACKS_CSV_COLUMNS} then {@link PARENT_IDS_COLUMN}: tracks by ascending id, each track's spots by
 * frame (then id); then lone spots (in no track) by frame and id, with an empty `track_id`. Records
 * end with LF; numbers are exact. Any track graph fits (splits and merges through the parent ids);
 * edge costs are not kept. Throws ToolError `BAD_PARAMETER` for a track naming an unknown spot, an
 * edge leaving its track, and an edge whose source is not earlier than its target.
 */
export function formatTracksCsv(result: TrackingResult): string {
  const spots = new Map(result.spots.map((s) => [s.id, s]));
  const inTrack = new Set<number>();
  const rows: string[][] = [];
  const row = (trackId: string, s: Spot, parents: readonly number[]): string[] => [
    trackId,
    String(s.id),
    String(s.frame),
    String(s.frame * result.frameInterval),
    ...[s.z, s.y, s.x, s.quality, s.intensity, s.radius].map(String),
    parents.join(';'),
  ];
  for (const track of [...result.tracks].sort((a, b) => a.id - b.id)) {
    const members = new Set(track.spotIds);
    const parents = new Map<number, number[]>();
    for (const e of track.edges) {
      if (!members.has(e.source) || !members.has(e.target)) badTrack(track, `edge ${e.source} → ${e.target} leaves the track`);
      const [a, b] = [spots.get(e.source), spots.get(e.target)];
      if (a === undefined || b === undefined || a.frame >= b.frame) badTrack(track, `edge ${e.source} → ${e.target} does not go forward in time`);
      const list = parents.get(e.target);
      if (list === undefined) parents.set(e.target, [e.source]);
      else list.push(e.source);
    }
    const chain = track.spotIds.map((id) => spots.get(id) ?? badTrack(track, `unknown spot ${id}`)).sort((a, b) => a.frame - b.frame || a.id - b.id);
    for (const s of chain) {
      inTrack.add(s.id);
      rows.push(
        row(
          String(track.id),
          s,
          (parents.get(s.id) ?? []).sort((p, q) => p - q),
        ),
      );
    }
  }
  const lone = result.spots.filter((s) => !inTrack.has(s.id)).sort((a, b) => a.frame - b.frame || a.id - b.id);
  for (const s of lone) rows.push(row('', s, []));
  return formatCsv([[...TRACKS_CSV_COLUMNS, PARENT_IDS_COLUMN], ...rows], { newline: '\n' });
}

function badTrack(track: Track, why: string): never {
  throw new ToolError('BAD_PARAMETER', `track ${track.id} cannot be written as CSV: ${why}`);
}

/**
 * Reads a tracks CSV (as {@link formatTracksCsv} writes it; columns in any order, others ignored)
 * into a tracking result: spots from every row, positions from the physical columns (`t` serves
 * only to infer the frame interval); tracks from rows sharing a `track_id`. Links come from
 * {@link PARENT_IDS_COLUMN} when the table has it (splits and merges included), else between
 * consecutive spots by frame; their cost is the squared distance (as TrackMate's LAP trackers). A
 * track of one row becomes a lone spot. Tracks are ordered by id. Throws FormatError `CORRUPT`
 * naming line and column for a missing column, an empty or non-numeric cell, a non-integer id or
 * frame, a negative frame, a duplicate `spot_id`, a parent that is not an earlier spot of the same
 * track, and (without parent ids) two rows of one track in the same frame.
 */
export function parseTracksCsv(text: string, options: TracksCsvParseOptions = {}): TrackingResult {
  const records = readCsvTable(text, [...TRACKS_CSV_COLUMNS], 'tracks CSV');
  const withParents = records[0]?.has(PARENT_IDS_COLUMN) ?? false;
  const spots: Spot[] = [];
  const members = new Map<number, { spot: Spot; record: CsvRecord }[]>();
  const seen = new Set<number>();
  let inferredInterval: number | undefined;
  for (const r of records) {
    const frame = r.integer('frame');
    if (frame < 0) r.fail(`negative frame ${frame}`, 'frame');
    const spot = spotOfRecord(r, frame, seen);
    const t = r.number('t');
    if (inferredInterval === undefined && frame > 0 && t > 0) inferredInterval = t / frame;
    spots.push(spot);
    const trackId = r.optionalInteger('track_id');
    if (trackId === undefined) continue;
    const list = members.get(trackId);
    if (list === undefined) members.set(trackId, [{ spot, record: r }]);
    else list.push({ spot, record: r });
  }
  const cost = (a: Spot, b: Spot): number => (b.x - a.x) ** 2 + (b.y - a.y) ** 2 + (b.z - a.z) ** 2;
  const tracks: Track[] = [];
  for (const [id, list] of [...members].sort(([a], [b]) => a - b)) {
    if (list.length < 2) continue;
    const chain = [...list].sort((a, b) => a.spot.frame - b.spot.frame || a.record.line - b.record.line);
    const edges: TrackEdge[] = [];
    if (withParents) {
      const byId = new Map(chain.map((m) => [m.spot.id, m.spot]));
      for (const { spot, record } of chain) {
        for (const text of record
          .cell(PARENT_IDS_COLUMN)
          .split(';')
          .filter((p) => p.trim() !== '')) {
          const parent = /^\s*\d+\s*$/.test(text) ? byId.get(Number(text)) : undefined;
          if (parent === undefined || parent.frame >= spot.frame)
            return record.fail(`parent ${JSON.stringify(text)} is not an earlier spot of track ${id}`, PARENT_IDS_COLUMN);
          edges.push({ source: parent.id, target: spot.id, cost: cost(parent, spot) });
        }
      }
    } else {
      for (let i = 1; i < chain.length; i++) {
        const [a, b] = [chain[i - 1]!.spot, chain[i]!.spot];
        if (a.frame === b.frame)
          chain[i]!.record.fail(`track ${id} has two spots in frame ${a.frame} (a split or merge: give the ${PARENT_IDS_COLUMN} column)`, 'frame');
        edges.push({ source: a.id, target: b.id, cost: cost(a, b) });
      }
    }
    tracks.push({ id, spotIds: chain.map((m) => m.spot.id), edges });
  }
  return {
    spots,
    tracks,
    spaceUnit: options.spaceUnit ?? 'µm',
    timeUnit: options.timeUnit ?? 's',
    frameInterval: options.frameInterval ?? inferredInterval ?? 1,
  };
}
