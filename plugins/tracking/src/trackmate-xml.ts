import { ToolError } from '@bioimageit/core';
import type { Spot, Track, TrackingResult, TrackedImage } from './track-model.js';
import {
  DEFAULT_TRACKMATE_DETECTOR_SETTINGS,
  DEFAULT_TRACKMATE_TRACKER_SETTINGS,
  analyzerCollectionNode,
  detectorSettingsNode,
  displaySettingsJson,
  trackerSettingsNode,
  type TrackMateDetectorSettings,
  type TrackMateTrackerSettings,
} from './trackmate-xml-settings.js';
import { TRACKMATE_TRACK_FEATURES, featureDeclarationsNode } from './trackmate-xml-features.js';
import { formatJavaDouble as dbl, formatJavaInt, formatXmlDocument, type XmlNode } from './xml-write.js';

/** Options of {@link formatTrackMateXml}. */
export interface TrackMateXmlOptions {
  /** Detector parameters to record; the rest are TrackMate's defaults (radius: the first spot's). */
  readonly detector?: Partial<TrackMateDetectorSettings>;
  /** Tracker parameters to record; the rest are TrackMate's defaults. */
  readonly tracker?: Partial<TrackMateTrackerSettings>;
  /** The root's `version` attribute: the TrackMate file version claimed (TrackMate refuses < 2.1.0). */
  readonly version?: string;
  /** Text of the `Log` element, e.g. which software and version wrote the file. */
  readonly log?: string;
}

/** TrackMate's file version this writer follows (TmXmlWriter of TrackMate 7). */
export const TRACKMATE_XML_VERSION = '7.0.0';

/**
 * Writes a tracking result as TrackMate XML, the layout TrackMate's `TmXmlWriter` produces and its
 * `TmXmlReader` loads: root `TrackMate` → `Log`, `Model` (feature declarations, `AllSpots` by frame,
 * `AllTracks` with their edges and track features, `FilteredTracks` listing every track),
 * `Settings` (`ImageData`, `BasicSettings`, detector and tracker settings, empty filters,
 * analyzers), `GUIState` and `DisplaySettings`. Spots are named `ID<id>`, tracks `Track_<id>`;
 * edges run from the earlier to the later spot; track features are computed as TrackMate's
 * analyzers do. Without `result.image`, `ImageData` names no file and gives unit voxels and extents
 * that cover the spots.
 *
 * Throws ToolError `BAD_PARAMETER` for what TrackMate cannot hold: a spot id or frame that is not
 * a Java int, duplicate spot ids, a track with no edges, a track or edge naming an unknown spot,
 * a spot in two tracks, a track whose `spotIds` differ from its edges' spots, a self-link.
 */
export function formatTrackMateXml(result: TrackingResult, options: TrackMateXmlOptions = {}): string {
  const spots = indexSpots(result.spots);
  const dt = result.frameInterval;
  const detector = {
    ...DEFAULT_TRACKMATE_DETECTOR_SETTINGS,
    radius: result.spots[0]?.radius ?? DEFAULT_TRACKMATE_DETECTOR_SETTINGS.radius,
    ...options.detector,
  };
  const tracker = { ...DEFAULT_TRACKMATE_TRACKER_SETTINGS, ...options.tracker };
  const owner = new Map<number, number>();
  const tracks = result.tracks.map((track, index) => trackNode(track, index, spots, owner, dt));
  const byFrame = new Map<number, Spot[]>();
  for (const s of [...result.spots].sort((a, b) => a.frame - b.frame || a.id - b.id)) byFrame.set(s.frame, [...(byFrame.get(s.frame) ?? []), s]);
  const model: XmlNode = {
    name: 'Model',
    attributes: [
      ['spatialunits', result.spaceUnit],
      ['timeunits', result.timeUnit],
    ],
    children: [
      featureDeclarationsNode(),
      {
        name: 'AllSpots',
        attributes: [['nspots', String(result.spots.length)]],
        children: [...byFrame].map(([frame, list]) => ({
          name: 'SpotsInFrame',
          attributes: [['frame', String(frame)]],
          children: list.map((s) => spotNode(s, dt)),
        })),
      },
      { name: 'AllTracks', children: tracks },
      { name: 'FilteredTracks', children: result.tracks.map((t) => ({ name: 'TrackID', attributes: [['TRACK_ID', String(t.id)]] })) },
    ],
  };
  const image = result.image ?? coveringImage(result.spots);
  const settings: XmlNode = {
    name: 'Settings',
    children: [
      imageDataNode(image, dt),
      {
        name: 'BasicSettings',
        attributes: (['x', 'y', 'z', 't'] as const).flatMap((axis) => {
          const size = { x: image.width, y: image.height, z: image.nslices, t: image.nframes }[axis];
          return [[`${axis}start`, '0'] as const, [`${axis}end`, String(Math.max(0, size - 1))] as const];
        }),
      },
      detectorSettingsNode(detector),
      {
        name: 'InitialSpotFilter',
        attributes: [
          ['feature', 'QUALITY'],
          ['value', dbl(0)],
          ['isabove', 'true'],
        ],
      },
      { name: 'SpotFilterCollection' },
      trackerSettingsNode(tracker),
      { name: 'TrackFilterCollection' },
      analyzerCollectionNode(),
    ],
  };
  const log = options.log ?? 'Written by BioImageIT (@bioimageit/tracking).';
  return formatXmlDocument({
    name: 'TrackMate',
    attributes: [['version', options.version ?? TRACKMATE_XML_VERSION]],
    children: [
      { name: 'Log', text: log },
      model,
      settings,
      { name: 'GUIState', attributes: [['state', 'ConfigureViews']] },
      { name: 'DisplaySettings', text: displaySettingsJson() },
    ],
  });
}

function indexSpots(list: readonly Spot[]): Map<number, Spot> {
  const spots = new Map<number, Spot>();
  for (const s of list) {
    formatJavaInt(s.id, 'spot id');
    formatJavaInt(s.frame, `frame of spot ${s.id}`);
    if (s.frame < 0) throw new ToolError('BAD_PARAMETER', `spot ${s.id} has a negative frame ${s.frame}`);
    if (spots.has(s.id)) throw new ToolError('BAD_PARAMETER', `duplicate spot id ${s.id}`);
    spots.set(s.id, s);
  }
  return spots;
}

function spotNode(s: Spot, dt: number): XmlNode {
  return {
    name: 'Spot',
    attributes: [
      ['ID', String(s.id)],
      ['name', `ID${s.id}`],
      ['POSITION_X', dbl(s.x)],
      ['POSITION_Y', dbl(s.y)],
      ['POSITION_Z', dbl(s.z)],
      ['POSITION_T', dbl(s.frame * dt)],
      ['FRAME', String(s.frame)],
      ['QUALITY', dbl(s.quality)],
      ['RADIUS', dbl(s.radius)],
      ['VISIBILITY', '1'],
      ['MEAN_INTENSITY_CH1', dbl(s.intensity)],
    ],
  };
}

function trackNode(track: Track, index: number, spots: ReadonlyMap<number, Spot>, owner: Map<number, number>, dt: number): XmlNode {
  const id = formatJavaInt(track.id, 'track id');
  const fail = (why: string): never => {
    throw new ToolError('BAD_PARAMETER', `track ${track.id}: ${why}`);
  };
  if (track.edges.length === 0) fail('has no edges; TrackMate keeps only tracks made of links');
  const members = track.spotIds.map((sid) => spots.get(sid) ?? fail(`unknown spot ${sid}`));
  for (const s of members) {
    const other = owner.get(s.id);
    if (other !== undefined) fail(`spot ${s.id} is also in track ${other}`);
    owner.set(s.id, track.id);
  }
  const linked = new Set<number>();
  const neighbours = new Map<number, { earlier: Set<number>; later: Set<number> }>(members.map((s) => [s.id, { earlier: new Set(), later: new Set() }]));
  const edges = track.edges.map((e): XmlNode => {
    const a = spots.get(e.source) ?? fail(`edge from unknown spot ${e.source}`);
    const b = spots.get(e.target) ?? fail(`edge to unknown spot ${e.target}`);
    if (a.id === b.id) fail(`edge links spot ${a.id} to itself`);
    const [src, tgt] = a.frame <= b.frame ? [a, b] : [b, a];
    linked.add(src.id).add(tgt.id);
    neighbours.get(src.id)?.later.add(tgt.id);
    neighbours.get(tgt.id)?.earlier.add(src.id);
    const mid = (f: (s: Spot) => number): string => dbl(0.5 * (f(src) + f(tgt)));
    return {
      name: 'Edge',
      attributes: [
        ['SPOT_SOURCE_ID', String(src.id)],
        ['SPOT_TARGET_ID', String(tgt.id)],
        ['LINK_COST', dbl(e.cost)],
        ['EDGE_TIME', mid((s) => s.frame * dt)],
        ['EDGE_X_LOCATION', mid((s) => s.x)],
        ['EDGE_Y_LOCATION', mid((s) => s.y)],
        ['EDGE_Z_LOCATION', mid((s) => s.z)],
      ],
    };
  });
  if (linked.size !== members.length || members.some((s) => !linked.has(s.id))) fail('spotIds differ from the spots its edges link');
  let [splits, merges, complex, gaps, longestGap] = [0, 0, 0, 0, 0];
  for (const { earlier, later } of neighbours.values()) {
    if (earlier.size <= 1 && later.size > 1) splits++;
    else if (later.size <= 1 && earlier.size > 1) merges++;
    else if (later.size > 1 && earlier.size > 1) complex++;
  }
  for (const e of track.edges) {
    const gap = Math.abs(spots.get(e.target)!.frame - spots.get(e.source)!.frame) - 1;
    if (gap > 0) [gaps, longestGap] = [gaps + 1, Math.max(longestGap, gap)];
  }
  const first = members.reduce((m, s) => (s.frame < m.frame ? s : m));
  const last = members.reduce((m, s) => (s.frame > m.frame ? s : m));
  const [start, stop] = [first.frame * dt, last.frame * dt];
  const displacement = Math.hypot(last.x - first.x, last.y - first.y, last.z - first.z);
  const ints = [members.length, gaps, splits, merges, complex, longestGap];
  return {
    name: 'Track',
    attributes: [
      ['name', `Track_${id}`],
      ['TRACK_ID', id],
      ['TRACK_INDEX', String(index)],
      ...TRACKMATE_TRACK_FEATURES.slice(0, 6).map(([feature], i) => [feature, String(ints[i])] as const),
      ['TRACK_DURATION', dbl(stop - start)],
      ['TRACK_START', dbl(start)],
      ['TRACK_STOP', dbl(stop)],
      ['TRACK_DISPLACEMENT', dbl(displacement)],
    ],
    children: edges,
  };
}

function imageDataNode(image: TrackedImage, dt: number): XmlNode {
  return {
    name: 'ImageData',
    attributes: [
      ['filename', image.filename],
      ['folder', image.folder],
      ['width', formatJavaInt(image.width, 'image width')],
      ['height', formatJavaInt(image.height, 'image height')],
      ['nslices', formatJavaInt(image.nslices, 'image nslices')],
      ['nframes', formatJavaInt(image.nframes, 'image nframes')],
      ['pixelwidth', dbl(image.pixelWidth)],
      ['pixelheight', dbl(image.pixelHeight)],
      ['voxeldepth', dbl(image.voxelDepth)],
      ['timeinterval', dbl(dt)],
    ],
  };
}

function coveringImage(spots: readonly Spot[]): TrackedImage {
  const extent = (f: (s: Spot) => number): number => spots.reduce((m, s) => (Number.isFinite(f(s)) ? Math.max(m, Math.floor(f(s)) + 1) : m), 1);
  return {
    filename: '',
    folder: '',
    width: extent((s) => s.x),
    height: extent((s) => s.y),
    nslices: extent((s) => s.z),
    nframes: extent((s) => s.frame),
    pixelWidth: 1,
    pixelHeight: 1,
    voxelDepth: 1,
  };
}
