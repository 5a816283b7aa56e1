import { formatJavaDouble, formatJavaInt, type XmlNode } from './xml-write.js';

/**
 * The detector settings TrackMate's LoG detector (`LogDetectorFactory`, key `LOG_DETECTOR`) reads
 * back from `Settings/DetectorSettings`; all five parameters are mandatory there.
 */
export interface TrackMateDetectorSettings {
  /** `DETECTOR_NAME`, the detector factory key. */
  readonly detectorName: string;
  /** `RADIUS`, physical units. */
  readonly radius: number;
  /** `THRESHOLD` on quality. */
  readonly threshold: number;
  readonly doSubpixelLocalization: boolean;
  readonly doMedianFiltering: boolean;
  /** `TARGET_CHANNEL`, from 1. */
  readonly targetChannel: number;
}

/**
 * The LAP tracker settings TrackMate's `SPARSE_LAP_TRACKER` reads back (`LAPTrackerFactory`
 * unmarshall): every parameter is mandatory; feature penalties map spot features to weights.
 */
export interface TrackMateTrackerSettings {
  /** `TRACKER_NAME`, the tracker factory key. */
  readonly trackerName: string;
  readonly linkingMaxDistance: number;
  readonly linkingFeaturePenalties: Readonly<Record<string, number>>;
  readonly allowGapClosing: boolean;
  readonly gapClosingMaxDistance: number;
  /** `MAX_FRAME_GAP`, an integer. */
  readonly maxFrameGap: number;
  readonly gapClosingFeaturePenalties: Readonly<Record<string, number>>;
  readonly allowTrackSplitting: boolean;
  readonly splittingMaxDistance: number;
  readonly splittingFeaturePenalties: Readonly<Record<string, number>>;
  readonly allowTrackMerging: boolean;
  readonly mergingMaxDistance: number;
  readonly mergingFeaturePenalties: Readonly<Record<string, number>>;
  readonly alternativeLinkingCostFactor: number;
  readonly cutoffPercentile: number;
  /** `Infinity` by default, written `Infinity` as Java prints it. */
  readonly blockingValue: number;
}

/** TrackMate's own defaults (`DetectorKeys`), with the LoG detector. */
export const DEFAULT_TRACKMATE_DETECTOR_SETTINGS: TrackMateDetectorSettings = Object.freeze({
  detectorName: 'LOG_DETECTOR',
  radius: 5,
  threshold: 0,
  doSubpixelLocalization: true,
  doMedianFiltering: false,
  targetChannel: 1,
});

/** TrackMate's own defaults (`TrackerKeys`), with the sparse LAP tracker. */
export const DEFAULT_TRACKMATE_TRACKER_SETTINGS: TrackMateTrackerSettings = Object.freeze({
  trackerName: 'SPARSE_LAP_TRACKER',
  linkingMaxDistance: 15,
  linkingFeaturePenalties: {},
  allowGapClosing: true,
  gapClosingMaxDistance: 15,
  maxFrameGap: 2,
  gapClosingFeaturePenalties: {},
  allowTrackSplitting: false,
  splittingMaxDistance: 15,
  splittingFeaturePenalties: {},
  allowTrackMerging: false,
  mergingMaxDistance: 15,
  mergingFeaturePenalties: {},
  alternativeLinkingCostFactor: 1.05,
  cutoffPercentile: 0.9,
  blockingValue: Infinity,
});

/** `Settings/DetectorSettings`: the detector key and its parameters, as attributes. */
export function detectorSettingsNode(s: TrackMateDetectorSettings): XmlNode {
  return {
    name: 'DetectorSettings',
    attributes: [
      ['DETECTOR_NAME', s.detectorName],
      ['DO_MEDIAN_FILTERING', String(s.doMedianFiltering)],
      ['DO_SUBPIXEL_LOCALIZATION', String(s.doSubpixelLocalization)],
      ['RADIUS', formatJavaDouble(s.radius)],
      ['TARGET_CHANNEL', formatJavaInt(s.targetChannel, 'detector TARGET_CHANNEL')],
      ['THRESHOLD', formatJavaDouble(s.threshold)],
    ],
  };
}

/**
 * `Settings/TrackerSettings` as the LAP tracker factories write it: the key and three global
 * parameters as attributes, then the child elements `Linking`, `GapClosing`, `TrackSplitting` and
 * `TrackMerging`, each with its parameters and a `FeaturePenalties` child (attributes: feature →
 * weight). TrackMate's reader fails the tracker settings when any of the four children is missing.
 */
export function trackerSettingsNode(s: TrackMateTrackerSettings): XmlNode {
  const penalties = (weights: Readonly<Record<string, number>>): XmlNode => ({
    name: 'FeaturePenalties',
    attributes: Object.entries(weights).map(([feature, w]) => [feature, formatJavaDouble(w)] as const),
  });
  return {
    name: 'TrackerSettings',
    attributes: [
      ['TRACKER_NAME', s.trackerName],
      ['CUTOFF_PERCENTILE', formatJavaDouble(s.cutoffPercentile)],
      ['ALTERNATIVE_LINKING_COST_FACTOR', formatJavaDouble(s.alternativeLinkingCostFactor)],
      ['BLOCKING_VALUE', formatJavaDouble(s.blockingValue)],
    ],
    children: [
      { name: 'Linking', attributes: [['LINKING_MAX_DISTANCE', formatJavaDouble(s.linkingMaxDistance)]], children: [penalties(s.linkingFeaturePenalties)] },
      {
        name: 'GapClosing',
        attributes: [
          ['ALLOW_GAP_CLOSING', String(s.allowGapClosing)],
          ['GAP_CLOSING_MAX_DISTANCE', formatJavaDouble(s.gapClosingMaxDistance)],
          ['MAX_FRAME_GAP', formatJavaInt(s.maxFrameGap, 'tracker MAX_FRAME_GAP')],
        ],
        children: [penalties(s.gapClosingFeaturePenalties)],
      },
      {
        name: 'TrackSplitting',
        attributes: [
          ['ALLOW_TRACK_SPLITTING', String(s.allowTrackSplitting)],
          ['SPLITTING_MAX_DISTANCE', formatJavaDouble(s.splittingMaxDistance)],
        ],
        children: [penalties(s.splittingFeaturePenalties)],
      },
      {
        name: 'TrackMerging',
        attributes: [
          ['ALLOW_TRACK_MERGING', String(s.allowTrackMerging)],
          ['MERGING_MAX_DISTANCE', formatJavaDouble(s.mergingMaxDistance)],
        ],
        children: [penalties(s.mergingFeaturePenalties)],
      },
    ],
  };
}

/**
 * `Settings/AnalyzerCollection`: the keys of the TrackMate analyzers whose features the writer
 * declares and fills (TrackMate looks each key up in its providers and logs unknown ones).
 */
export function analyzerCollectionNode(): XmlNode {
  const group = (name: string, keys: readonly string[]): XmlNode => ({ name, children: keys.map((key) => ({ name: 'Analyzer', attributes: [['key', key]] })) });
  return {
    name: 'AnalyzerCollection',
    children: [
      group('SpotAnalyzers', ['Spot intensity']),
      group('EdgeAnalyzers', ['Edge target', 'Edge location']),
      group('TrackAnalyzers', ['Branching analyzer', 'Track duration', 'Track index']),
    ],
  };
}

/**
 * The text of the root's `DisplaySettings` element: TrackMate (v7) reads it as JSON with Gson into
 * its `DisplaySettings`, whose fields left out keep TrackMate's defaults. Colours are
 * `"r, g, b, a"`; the colormap is named. Spots are coloured uniformly, tracks by `TRACK_INDEX`.
 */
export function displaySettingsJson(): string {
  const settings = {
    name: 'CurrentDisplaySettings',
    spotUniformColor: '204, 51, 204, 255',
    spotColorByType: 'DEFAULT',
    spotColorByFeature: 'UNIFORM_COLOR',
    spotDisplayRadius: 1.0,
    spotDisplayedAsRoi: true,
    spotShowName: false,
    spotVisible: true,
    spotFilled: false,
    spotTransparencyAlpha: 1.0,
    trackColorByType: 'TRACKS',
    trackColorByFeature: 'TRACK_INDEX',
    trackUniformColor: '204, 204, 51, 255',
    trackDisplayMode: 'FULL',
    trackVisible: true,
    colormap: 'Jet',
    fadeTracks: true,
    fadeTrackRange: 30,
    useAntialiasing: true,
    lineThickness: 1.0,
    selectionLineThickness: 4.0,
  };
  return JSON.stringify(settings, null, 2);
}
