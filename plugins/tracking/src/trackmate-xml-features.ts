import type { XmlNode } from './xml-write.js';

/** One feature declaration: key, name, short name, TrackMate `Dimension` enum name, integer-valued. */
export type TrackMateFeatureDeclaration = readonly [feature: string, name: string, shortName: string, dimension: string, isInt: boolean];

/** Spot features written on every `Spot` (TrackMate's `Spot`, `SpotCollection`, intensity analyzer). */
export const TRACKMATE_SPOT_FEATURES: readonly TrackMateFeatureDeclaration[] = [
  ['QUALITY', 'Quality', 'Quality', 'QUALITY', false],
  ['POSITION_X', 'X', 'X', 'POSITION', false],
  ['POSITION_Y', 'Y', 'Y', 'POSITION', false],
  ['POSITION_Z', 'Z', 'Z', 'POSITION', false],
  ['POSITION_T', 'T', 'T', 'TIME', false],
  ['FRAME', 'Frame', 'Frame', 'NONE', true],
  ['RADIUS', 'Radius', 'R', 'LENGTH', false],
  ['VISIBILITY', 'Visibility', 'Visibility', 'NONE', true],
  ['MEAN_INTENSITY_CH1', 'Mean intensity ch1', 'Mean ch1', 'INTENSITY', false],
];

/** Edge features written on every `Edge` (`EdgeTargetAnalyzer`, `EdgeTimeLocationAnalyzer`). */
export const TRACKMATE_EDGE_FEATURES: readonly TrackMateFeatureDeclaration[] = [
  ['SPOT_SOURCE_ID', 'Source spot ID', 'Source ID', 'NONE', true],
  ['SPOT_TARGET_ID', 'Target spot ID', 'Target ID', 'NONE', true],
  ['LINK_COST', 'Edge cost', 'Cost', 'COST', false],
  ['EDGE_TIME', 'Edge time', 'Edge T', 'TIME', false],
  ['EDGE_X_LOCATION', 'Edge X', 'Edge X', 'POSITION', false],
  ['EDGE_Y_LOCATION', 'Edge Y', 'Edge Y', 'POSITION', false],
  ['EDGE_Z_LOCATION', 'Edge Z', 'Edge Z', 'POSITION', false],
];

/** Track features written on every `Track` (`TrackBranchingAnalyzer`, `TrackDurationAnalyzer`, `TrackIndexAnalyzer`). */
export const TRACKMATE_TRACK_FEATURES: readonly TrackMateFeatureDeclaration[] = [
  ['NUMBER_SPOTS', 'Number of spots in track', 'N spots', 'NONE', true],
  ['NUMBER_GAPS', 'Number of gaps', 'N gaps', 'NONE', true],
  ['NUMBER_SPLITS', 'Number of split events', 'N splits', 'NONE', true],
  ['NUMBER_MERGES', 'Number of merge events', 'N merges', 'NONE', true],
  ['NUMBER_COMPLEX', 'Number of complex points', 'N complex', 'NONE', true],
  ['LONGEST_GAP', 'Longest gap', 'Lgst gap', 'NONE', true],
  ['TRACK_DURATION', 'Track duration', 'Duration', 'TIME', false],
  ['TRACK_START', 'Track start', 'Track start', 'TIME', false],
  ['TRACK_STOP', 'Track stop', 'Track stop', 'TIME', false],
  ['TRACK_DISPLACEMENT', 'Track displacement', 'Track disp.', 'LENGTH', false],
  ['TRACK_INDEX', 'Track index', 'Index', 'NONE', true],
  ['TRACK_ID', 'Track ID', 'ID', 'NONE', true],
];

/**
 * `Model/FeatureDeclarations`: `SpotFeatures`, `EdgeFeatures` and `TrackFeatures`, each a list of
 * `Feature feature name shortname dimension isint` for the features {@link formatTrackMateXml}
 * writes. TrackMate reads `dimension` with `Dimension.valueOf` and writes integer features without
 * a fraction, as declared by `isint`.
 */
export function featureDeclarationsNode(): XmlNode {
  const declare = (name: string, list: readonly TrackMateFeatureDeclaration[]): XmlNode => ({
    name,
    children: list.map(([feature, fname, shortName, dimension, isInt]) => ({
      name: 'Feature',
      attributes: [
        ['feature', feature],
        ['name', fname],
        ['shortname', shortName],
        ['dimension', dimension],
        ['isint', String(isInt)],
      ],
    })),
  });
  return {
    name: 'FeatureDeclarations',
    children: [
      declare('SpotFeatures', TRACKMATE_SPOT_FEATURES),
      declare('EdgeFeatures', TRACKMATE_EDGE_FEATURES),
      declare('TrackFeatures', TRACKMATE_TRACK_FEATURES),
    ],
  };
}
