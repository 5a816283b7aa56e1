import { readFileSync } from 'node:fs';
import { FormatError } from '@bioimageit/core';
import { describe, expect, it } from 'vitest';
import { parseTrackMateXml } from './read-trackmate-xml.js';
import type { TrackingResult } from './track-model.js';
import { formatTrackMateXml } from './trackmate-xml.js';
import { parseXml, type XmlElement } from './xml-dom.js';

const fixture = (name: string): string => readFileSync(new URL(`./test-fixtures/${name}`, import.meta.url), 'utf8');
const sample = JSON.parse(fixture('sample-tracking-result.json')) as TrackingResult;

/** Element path → the union of attribute names seen on elements at that path. */
function structure(root: XmlElement): Map<string, string[]> {
  const paths = new Map<string, Set<string>>();
  const walk = (el: XmlElement, prefix: string): void => {
    const path = prefix ? `${prefix}/${el.name}` : el.name;
    const names = paths.get(path) ?? new Set<string>();
    for (const name of el.attributes.keys()) names.add(name);
    paths.set(path, names);
    for (const child of el.children) walk(child, path);
  };
  walk(root, '');
  return new Map([...paths].map(([path, names]) => [path, [...names].sort()]));
}

describe('parseTrackMateXml', () => {
  it('reads back what formatTrackMateXml writes: same spots, tracks, units, image', () => {
    const back = parseTrackMateXml(formatTrackMateXml(sample));
    const byId = (a: { id: number }, b: { id: number }): number => a.id - b.id;
    expect([...back.spots].sort(byId)).toEqual([...sample.spots].sort(byId));
    expect(back.tracks).toEqual(sample.tracks);
    expect(back).toMatchObject({ spaceUnit: 'µm', timeUnit: 's', frameInterval: 2, image: sample.image });
  });

  it('keeps NaN and infinite features and exact doubles through the round trip', () => {
    const spots = [{ id: 1, frame: 0, x: 0.1 + 0.2, y: -0, z: 1e-9, quality: NaN, intensity: Infinity, radius: 5e300 }];
    const back = parseTrackMateXml(formatTrackMateXml({ ...sample, spots, tracks: [] }));
    expect(back.spots).toEqual(spots);
  });

  /*
   * The fixture is written by hand from what TrackMate's own reader expects (fiji/TrackMate,
   * src/main/java/fiji/plugin/trackmate/io/TmXmlReader.java and TmXmlKeys.java, read at commit
   * db7c2a64f5cada25fe63bbc72897cd70241d9c65):
   * - ROOT_ELEMENT_KEY = "TrackMate", PLUGIN_VERSION_ATTRIBUTE_NAME = "version"; LoadTrackMatePlugIn
   *   refuses `VersionUtils.compare( version, "2.1.0" ) < 0`.
   * - LOG_ELEMENT_KEY = "Log" (`getTextTrim()`); MODEL_ELEMENT_KEY = "Model" with
   *   SPATIAL_UNITS_ATTRIBUTE_NAME = "spatialunits", TIME_UNITS_ATTRIBUTE_NAME = "timeunits".
   * - FEATURE_DECLARATIONS_ELEMENT_KEY = "FeatureDeclarations" → "SpotFeatures" / "EdgeFeatures" /
   *   "TrackFeatures" → "Feature" with "feature", "name", "shortname", "dimension" (read with
   *   `Dimension.valueOf`, so an enum name: NONE, QUALITY, COST, INTENSITY, POSITION, LENGTH, TIME,
   *   ...) and "isint" (`getBooleanValue`); a missing one is logged "Could not find ... in file".
   * - SPOT_COLLECTION_ELEMENT_KEY = "AllSpots" (SPOT_COLLECTION_NSPOTS_ATTRIBUTE_NAME = "nspots") →
   *   SPOT_FRAME_COLLECTION_ELEMENT_KEY = "SpotsInFrame" (FRAME_ATTRIBUTE_NAME = "frame", via
   *   `readIntAttribute`) → SPOT_ELEMENT_KEY = "Spot": SPOT_ID_ATTRIBUTE_NAME = "ID" (int),
   *   SPOT_NAME_ATTRIBUTE_NAME = "name"; every other attribute becomes a feature through
   *   `Double.valueOf( att.getValue() )`, so all of them must be numbers.
   * - TRACK_COLLECTION_ELEMENT_KEY = "AllTracks" → TRACK_ELEMENT_KEY = "Track": "name"
   *   (TRACK_NAME_ATTRIBUTE_NAME) and TrackIndexAnalyzer.TRACK_ID = "TRACK_ID" (int); every other
   *   attribute is read as a track feature with `getDoubleValue()`.
   * - TRACK_EDGE_ELEMENT_KEY = "Edge": EdgeTargetAnalyzer.SPOT_SOURCE_ID = "SPOT_SOURCE_ID",
   *   SPOT_TARGET_ID = "SPOT_TARGET_ID" (ints, "Unknown spot ID" fails the tracks),
   *   EDGE_COST = "LINK_COST" (optional, weight 0 when absent); declared edge features are read as
   *   int or double by their "isint".
   * - FILTERED_TRACK_ELEMENT_KEY = "FilteredTracks" → TRACK_ID_ELEMENT_KEY = "TrackID" with "TRACK_ID";
   *   tracks not listed there are loaded with visibility FALSE.
   * - SETTINGS_ELEMENT_KEY = "Settings" → IMAGE_ELEMENT_KEY = "ImageData": "filename", "folder",
   *   "width", "height", "nslices", "nframes" (ints), "pixelwidth", "pixelheight", "voxeldepth",
   *   "timeinterval" (doubles); CROP_ELEMENT_KEY = "BasicSettings": "xstart" "xend" "ystart" "yend"
   *   "zstart" "zend" "tstart" "tend" (ints).
   * - DETECTOR_SETTINGS_ELEMENT_KEY = "DetectorSettings" with DetectorKeys.XML_ATTRIBUTE_DETECTOR_NAME
   *   = "DETECTOR_NAME"; LogDetectorFactory.unmarshall requires RADIUS, THRESHOLD (double),
   *   DO_SUBPIXEL_LOCALIZATION, DO_MEDIAN_FILTERING (boolean), TARGET_CHANNEL (int).
   * - INITIAL_SPOT_FILTER_ELEMENT_KEY = "InitialSpotFilter", SPOT_FILTER_COLLECTION_ELEMENT_KEY =
   *   "SpotFilterCollection", TRACK_FILTER_COLLECTION_ELEMENT_KEY = "TrackFilterCollection" are read
   *   without null checks (a missing one throws), FILTER_FEATURE_ATTRIBUTE_NAME = "feature",
   *   FILTER_VALUE_ATTRIBUTE_NAME = "value", FILTER_ABOVE_ATTRIBUTE_NAME = "isabove".
   * - TRACKER_SETTINGS_ELEMENT_KEY = "TrackerSettings" with TrackerKeys.XML_ATTRIBUTE_TRACKER_NAME =
   *   "TRACKER_NAME"; LAPTrackerFactory.unmarshall needs the children LAPUtils.XML_ELEMENT_NAME_LINKING
   *   = "Linking" (LINKING_MAX_DISTANCE), "GapClosing" (ALLOW_GAP_CLOSING, GAP_CLOSING_MAX_DISTANCE,
   *   MAX_FRAME_GAP as an integer), "TrackSplitting" (ALLOW_TRACK_SPLITTING, SPLITTING_MAX_DISTANCE),
   *   "TrackMerging" (ALLOW_TRACK_MERGING, MERGING_MAX_DISTANCE), each with an optional
   *   "FeaturePenalties" child, and on TrackerSettings itself CUTOFF_PERCENTILE,
   *   ALTERNATIVE_LINKING_COST_FACTOR and BLOCKING_VALUE.
   * - ANALYZER_COLLECTION_ELEMENT_KEY = "AnalyzerCollection" → "SpotAnalyzers" / "EdgeAnalyzers" /
   *   "TrackAnalyzers" → "Analyzer" with "key".
   * - GUI_STATE_ELEMENT_KEY = "GUIState" with GUI_STATE_ATTRIBUTE = "state" (ConfigureViewsDescriptor.KEY
   *   = "ConfigureViews"); DISPLAY_SETTINGS_ELEMENT_KEY = "DisplaySettings", whose text is JSON
   *   (DisplaySettingsIO.fromJson).
   */
  const text = fixture('trackmate-minimal.xml');

  it('reads the hand-written TrackMate fixture, keeping only the filtered tracks', () => {
    const result = parseTrackMateXml(text);
    expect(result.spots.map((s) => s.id)).toEqual([0, 3, 5, 1, 6, 2, 4, 7]);
    expect(result.spots[3]).toEqual({ id: 1, frame: 1, x: 11, y: 21.5, z: 3, quality: 50, intensity: 1150, radius: 0.5 });
    expect(result.tracks).toEqual([
      {
        id: 0,
        spotIds: [0, 1, 2],
        edges: [
          { source: 0, target: 1, cost: 3.25 },
          { source: 1, target: 2, cost: 3.5 },
        ],
      },
      { id: 1, spotIds: [3, 4], edges: [{ source: 3, target: 4, cost: 5 }] },
    ]);
    expect(result).toMatchObject({ spaceUnit: 'µm', timeUnit: 's', frameInterval: 2.5 });
    expect(result.image).toEqual({
      filename: 'cells.tif',
      folder: '/data/llsm',
      width: 128,
      height: 96,
      nslices: 12,
      nframes: 3,
      pixelWidth: 0.5,
      pixelHeight: 0.5,
      voxelDepth: 0.5,
    });
  });

  it('writes exactly the element tree and attribute names of the fixture', () => {
    const written = formatTrackMateXml(parseTrackMateXml(text));
    expect(structure(parseXml(written))).toEqual(structure(parseXml(text)));
  });

  it('infers the frame interval from POSITION_T / FRAME without Settings', () => {
    const noSettings = text.replace(/<Settings>[\s\S]*<\/Settings>/, '');
    const result = parseTrackMateXml(noSettings);
    expect(result.frameInterval).toBe(2.5);
    expect(result.image).toBeUndefined();
  });

  it.each([
    ['a root other than TrackMate', '<Other/>', 1, /root element is <Other>/],
    ['a missing Model', '<TrackMate version="7.0.0"/>', 1, /<TrackMate> has no <Model>/],
    ['a spot without a position', text.replace(' POSITION_X="11.0"', ''), 54, /<Spot> lacks attribute POSITION_X/],
    ['a non-numeric feature', text.replace('QUALITY="50.0"', 'QUALITY="5O"'), 54, /QUALITY="5O" of <Spot> is not a number/],
    ['a fractional ID', text.replace('ID="7" name', 'ID="7.5" name'), 60, /ID="7.5" of <Spot> is not an integer/],
    ['an edge to an unknown spot', text.replace('SPOT_TARGET_ID="4"', 'SPOT_TARGET_ID="40"'), 69, /SPOT_TARGET_ID 40 names no spot/],
    ['a filtered id naming no track', text.replace('<TrackID TRACK_ID="1" />', '<TrackID TRACK_ID="9" />'), 77, /TRACK_ID 9 names no Track/],
    ['broken XML', text.replace('</Track>', '</Trak>'), 67, /end tag <\/Trak> does not match <Track>/],
  ])('rejects %s with the line', (_what, input, line, message) => {
    try {
      parseTrackMateXml(input);
      expect.fail('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as FormatError).code).toBe('CORRUPT');
      expect((e as FormatError).message).toMatch(message);
      expect((e as FormatError).details['line']).toBe(line);
    }
  });
});
