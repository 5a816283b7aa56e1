import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { detectCsvDelimiter, type DataItem, type ExperimentStore } from '@bioimageit/core';

/** Spot rows a tracks answer holds at most; the rest of the file is left out (`truncated`). */
export const MAX_TRACK_SPOTS = 200_000;
/** The columns that make a CSV table a tracks table. */
const REQUIRED = ['track_id', 'frame'] as const;

/** One spot: `[frame, x, y, z, t, radius]`, position and radius in the image's physical unit (null when the cell is empty or the column absent). */
export type TrackSpot = readonly [number, number | null, number | null, number | null, number | null, number | null];

/** The tracks of a tracks table, for drawing over an image. */
export interface TrackSet {
  /** The tracks table read, or null when the image's job had none among its inputs. */
  readonly source: { readonly id: string; readonly name: string } | null;
  readonly columns: readonly string[];
  /** Spot rows read (tracked and lone). */
  readonly spotCount: number;
  /** True when the file holds more than {@link MAX_TRACK_SPOTS} spot rows (those after are left out). */
  readonly truncated: boolean;
  readonly limit: number;
  /** Tracks in order of their ids (numerically when they are numbers), each with its spots by frame. */
  readonly tracks: readonly { readonly id: string; readonly spots: readonly TrackSpot[] }[];
  /** Spots in no track (empty `track_id`), by frame. */
  readonly lone: readonly TrackSpot[];
}

/** The answer for an image whose job read no tracks table. */
export const NO_TRACKS: TrackSet = { source: null, columns: [], spotCount: 0, truncated: false, limit: MAX_TRACK_SPOTS, tracks: [], lone: [] };

/**
 * The tracks table among the inputs of the job that made `item` (a `tablecsv` input whose header
 * has `track_id` and `frame`), read into tracks; {@link NO_TRACKS} when the item is raw or its job
 * read none. Inputs that are gone from the experiment are passed over.
 */
export async function tracksOfImage(store: ExperimentStore, item: DataItem): Promise<TrackSet> {
  if (item.origin.type !== 'processed') return NO_TRACKS;
  for (const input of item.origin.inputs) {
    const candidate = await store.getItem(input.id).catch(() => undefined);
    if (candidate === undefined || candidate.format !== 'tablecsv') continue;
    const path = await store.localize(candidate);
    const columns = await headerOf(path);
    if (REQUIRED.every((c) => columns.includes(c))) return { ...(await readTracks(path)), source: { id: candidate.id, name: candidate.name } };
  }
  return NO_TRACKS;
}

/** The header fields of a CSV file (its first line). */
async function headerOf(path: string): Promise<string[]> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(16 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = new TextDecoder().decode(buffer.subarray(0, bytesRead)).replace(/^\uFEFF/, '');
    const line = text.split(/\r?\n/, 1)[0] ?? '';
    return splitLine(line, detectCsvDelimiter(line));
  } finally {
    await handle.close();
  }
}

/**
 * Reads a tracks CSV (`track_id,spot_id,frame,t,z,y,x,...`; unquoted numeric cells, as trackers
 * write them) line by line, keeping at most {@link MAX_TRACK_SPOTS} spot rows.
 */
export async function readTracks(path: string): Promise<Omit<TrackSet, 'source'>> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let columns: string[] | undefined;
  let delimiter = ',';
  let index: Record<'track' | 'frame' | 'x' | 'y' | 'z' | 't' | 'radius', number> | undefined;
  const byTrack = new Map<string, TrackSpot[]>();
  const lone: TrackSpot[] = [];
  let spotCount = 0;
  let truncated = false;
  for await (const raw of lines) {
    const line = columns === undefined ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    if (columns === undefined) {
      delimiter = detectCsvDelimiter(line);
      columns = splitLine(line, delimiter);
      const at = (name: string) => (columns as string[]).indexOf(name);
      index = { track: at('track_id'), frame: at('frame'), x: at('x'), y: at('y'), z: at('z'), t: at('t'), radius: at('radius') };
      continue;
    }
    if (spotCount >= MAX_TRACK_SPOTS) {
      truncated = true;
      break;
    }
    const cells = splitLine(line, delimiter);
    const at = index as NonNullable<typeof index>;
    const num = (i: number) => {
      if (i < 0) return null;
      const cell = cells[i] ?? '';
      const value = cell === '' ? NaN : Number(cell);
      return Number.isFinite(value) ? value : null;
    };
    const frame = num(at.frame);
    if (frame === null) continue;
    const spot: TrackSpot = [frame, num(at.x), num(at.y), num(at.z), num(at.t), num(at.radius)];
    spotCount++;
    const track = at.track < 0 ? '' : (cells[at.track] ?? '');
    if (track === '') lone.push(spot);
    else {
      const spots = byTrack.get(track);
      if (spots === undefined) byTrack.set(track, [spot]);
      else spots.push(spot);
    }
  }
  lines.close();
  const byFrame = (a: TrackSpot, b: TrackSpot) => a[0] - b[0];
  const tracks = [...byTrack].sort(([a], [b]) => compareIds(a, b)).map(([id, spots]) => ({ id, spots: spots.sort(byFrame) }));
  return { columns: columns ?? [], spotCount, truncated, limit: MAX_TRACK_SPOTS, tracks, lone: lone.sort(byFrame) };
}

/** Numbers in numeric order, before other ids in text order. */
function compareIds(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  const [nx, ny] = [a.trim() !== '' && Number.isFinite(x), b.trim() !== '' && Number.isFinite(y)];
  if (nx && ny) return x - y;
  if (nx !== ny) return nx ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A line's cells, with the quotes around a quoted cell removed (tracks tables hold no delimiters inside cells). */
function splitLine(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((cell) => {
    const c = cell.trim();
    return c.length >= 2 && c.startsWith('"') && c.endsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c;
  });
}
