import { FormatError } from '@bioimageit/core';
import type { Spot, Track, TrackEdge, TrackedImage, TrackingResult } from './track-model.js';
import { childElement, childElements, parseXml, type XmlElement } from './xml-dom.js';

const SOURCE = 'TrackMate XML';

/**
 * Reads a TrackMate XML file (as TrackMate 2.1 and later write it, and as {@link
 * formatTrackMateXml} does) into a tracking result, the way TrackMate's `TmXmlReader` builds its
 * model:
 * - units from `Model spatialunits timeunits` (TrackMate's defaults `pixel`/`frame` when absent);
 * - every `AllSpots/SpotsInFrame/Spot`, at the frame of its `SpotsInFrame`; `POSITION_X/Y/Z` are
 *   required; `QUALITY`, `RADIUS` and intensity (`MEAN_INTENSITY_CH1`, else the older
 *   `MEAN_INTENSITY`) are `NaN` when absent;
 * - only the tracks listed in `FilteredTracks` (TrackMate shows the others hidden; here they are
 *   dropped, their spots become lone spots), each with its `Edge`s oriented from the earlier to the
 *   later spot, `LINK_COST` as cost (0 when absent, as TrackMate); `spotIds` ordered by frame;
 * - the frame interval from `Settings/ImageData timeinterval`, else from a spot's
 *   `POSITION_T / FRAME`, else 1; `image` from `ImageData` when present.
 *
 * Throws FormatError `CORRUPT` naming the line and element for malformed XML (see {@link
 * parseXml}), a root other than `TrackMate`, a missing `Model`, `AllSpots`, `AllTracks` or
 * `FilteredTracks`, a missing or non-numeric required attribute, duplicate spot ids, an edge naming
 * an unknown spot or linking a spot to itself, and a `TrackID` naming no track.
 */
export function parseTrackMateXml(text: string): TrackingResult {
  const root = parseXml(text, SOURCE);
  if (root.name !== 'TrackMate') fail(root, `root element is <${root.name}>, expected <TrackMate>`);
  const model = required(root, 'Model');
  const imageData = root.children.find((c) => c.name === 'Settings')?.children.find((c) => c.name === 'ImageData');
  const spots = readSpots(required(model, 'AllSpots'));
  const byId = new Map(spots.map((s) => [s.id, s]));
  const tracks = readTracks(required(model, 'AllTracks'), required(model, 'FilteredTracks'), byId);
  const image = imageData ? readImage(imageData) : undefined;
  return {
    spots,
    tracks,
    spaceUnit: model.attributes.get('spatialunits') ?? 'pixel',
    timeUnit: model.attributes.get('timeunits') ?? 'frame',
    frameInterval: frameInterval(imageData, model),
    ...(image ? { image } : {}),
  };
}

function readSpots(allSpots: XmlElement): Spot[] {
  const spots: Spot[] = [];
  const seen = new Set<number>();
  for (const inFrame of childElements(allSpots, 'SpotsInFrame')) {
    const frame = int(inFrame, 'frame');
    if (frame < 0) fail(inFrame, `negative frame ${frame}`);
    for (const el of childElements(inFrame, 'Spot')) {
      const id = int(el, 'ID');
      if (seen.has(id)) fail(el, `duplicate spot ID ${id}`);
      seen.add(id);
      const intensity = el.attributes.has('MEAN_INTENSITY_CH1') ? 'MEAN_INTENSITY_CH1' : 'MEAN_INTENSITY';
      spots.push({
        id,
        frame,
        x: num(el, 'POSITION_X'),
        y: num(el, 'POSITION_Y'),
        z: num(el, 'POSITION_Z'),
        quality: num(el, 'QUALITY', NaN),
        intensity: num(el, intensity, NaN),
        radius: num(el, 'RADIUS', NaN),
      });
    }
  }
  return spots;
}

function readTracks(allTracks: XmlElement, filtered: XmlElement, spots: ReadonlyMap<number, Spot>): Track[] {
  const trackElements = new Map<number, XmlElement>();
  for (const el of childElements(allTracks, 'Track')) {
    const id = int(el, 'TRACK_ID');
    if (trackElements.has(id)) fail(el, `duplicate TRACK_ID ${id}`);
    trackElements.set(id, el);
  }
  const tracks: Track[] = [];
  const kept = new Set<number>();
  for (const ref of childElements(filtered, 'TrackID')) {
    const id = int(ref, 'TRACK_ID');
    const el = trackElements.get(id) ?? fail(ref, `TRACK_ID ${id} names no Track in AllTracks`);
    if (kept.has(id)) continue;
    kept.add(id);
    tracks.push(readTrack(el, id, spots));
  }
  return tracks;
}

function readTrack(el: XmlElement, id: number, spots: ReadonlyMap<number, Spot>): Track {
  const edges: TrackEdge[] = [];
  const members = new Map<number, Spot>();
  for (const edge of childElements(el, 'Edge')) {
    const a = spots.get(int(edge, 'SPOT_SOURCE_ID')) ?? fail(edge, `SPOT_SOURCE_ID ${edge.attributes.get('SPOT_SOURCE_ID')} names no spot`);
    const b = spots.get(int(edge, 'SPOT_TARGET_ID')) ?? fail(edge, `SPOT_TARGET_ID ${edge.attributes.get('SPOT_TARGET_ID')} names no spot`);
    if (a.id === b.id) fail(edge, `edge links spot ${a.id} to itself`);
    const [source, target] = a.frame <= b.frame ? [a, b] : [b, a];
    edges.push({ source: source.id, target: target.id, cost: num(edge, 'LINK_COST', 0) });
    members.set(a.id, a).set(b.id, b);
  }
  const spotIds = [...members.values()].sort((p, q) => p.frame - q.frame || p.id - q.id).map((s) => s.id);
  return { id, spotIds, edges };
}

function readImage(el: XmlElement): TrackedImage {
  return {
    filename: el.attributes.get('filename') ?? '',
    folder: el.attributes.get('folder') ?? '',
    width: int(el, 'width'),
    height: int(el, 'height'),
    nslices: int(el, 'nslices'),
    nframes: int(el, 'nframes'),
    pixelWidth: num(el, 'pixelwidth'),
    pixelHeight: num(el, 'pixelheight'),
    voxelDepth: num(el, 'voxeldepth'),
  };
}

function frameInterval(imageData: XmlElement | undefined, model: XmlElement): number {
  const dt = imageData ? num(imageData, 'timeinterval', NaN) : NaN;
  if (dt > 0) return dt;
  for (const inFrame of childElements(required(model, 'AllSpots'), 'SpotsInFrame')) {
    const frame = int(inFrame, 'frame');
    const spot = frame > 0 ? childElement(inFrame, 'Spot') : undefined;
    const t = spot ? num(spot, 'POSITION_T', NaN) / frame : NaN;
    if (t > 0) return t;
  }
  return 1;
}

function required(parent: XmlElement, name: string): XmlElement {
  return childElement(parent, name) ?? fail(parent, `<${parent.name}> has no <${name}>`);
}

/** A number as Java's `Double.valueOf` reads it (TrackMate's `INF`/`-INF` too); `fallback` when absent. */
function num(el: XmlElement, name: string, fallback?: number): number {
  const raw = el.attributes.get(name);
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    fail(el, `<${el.name}> lacks attribute ${name}`);
  }
  const s = raw.trim();
  const special: Readonly<Record<string, number>> = {
    NaN: NaN,
    Infinity: Infinity,
    '+Infinity': Infinity,
    '-Infinity': -Infinity,
    INF: Infinity,
    '-INF': -Infinity,
  };
  const value = Object.hasOwn(special, s)
    ? special[s]!
    : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?$/.test(s)
      ? Number(s.replace(/[fFdD]$/, ''))
      : undefined;
  if (value === undefined) fail(el, `attribute ${name}="${raw}" of <${el.name}> is not a number`);
  return value;
}

/** An integer as Java's `Integer.parseInt` reads it. */
function int(el: XmlElement, name: string): number {
  const raw = el.attributes.get(name);
  if (raw === undefined) fail(el, `<${el.name}> lacks attribute ${name}`);
  const value = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(value >= -2147483648 && value <= 2147483647)) fail(el, `attribute ${name}="${raw}" of <${el.name}> is not an integer`);
  return value;
}

function fail(el: XmlElement, message: string): never {
  throw new FormatError('CORRUPT', `${SOURCE}: line ${el.line}: ${message}`, { details: { line: el.line, element: el.name } });
}
