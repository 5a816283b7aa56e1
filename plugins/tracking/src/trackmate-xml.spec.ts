import { readFileSync } from 'node:fs';
import { ToolError } from '@bioimageit/core';
import { describe, expect, it } from 'vitest';
import type { TrackingResult } from './track-model.js';
import { formatTrackMateXml } from './trackmate-xml.js';
import { childElement, childElements, parseXml, type XmlElement } from './xml-dom.js';

const sample = JSON.parse(readFileSync(new URL('./test-fixtures/sample-tracking-result.json', import.meta.url), 'utf8')) as TrackingResult;

function at(root: XmlElement, path: string): XmlElement {
  return path.split('/').reduce((el, name) => childElement(el, name) ?? expect.fail(`no <${name}> under <${el.name}>`), root);
}

describe('formatTrackMateXml', () => {
  const root = parseXml(formatTrackMateXml(sample, { tracker: { linkingMaxDistance: 3, maxFrameGap: 3 }, detector: { threshold: 2.5 }, log: 'run 42' }));

  it('writes the root children in the order TrackMate saves them', () => {
    expect(root.name).toBe('TrackMate');
    expect(root.attributes.get('version')).toBe('7.0.0');
    expect(root.children.map((c) => c.name)).toEqual(['Log', 'Model', 'Settings', 'GUIState', 'DisplaySettings']);
    expect(at(root, 'Log').text).toBe('run 42');
    expect(at(root, 'Model/AllSpots').attributes.get('nspots')).toBe('9');
    expect(childElements(at(root, 'Model/AllSpots'), 'SpotsInFrame').map((f) => f.attributes.get('frame'))).toEqual(['0', '1', '2', '3']);
    expect(JSON.parse(at(root, 'DisplaySettings').text)).toMatchObject({ trackColorByFeature: 'TRACK_INDEX', colormap: 'Jet' });
  });

  it('writes spots with Java-readable numbers and their physical time', () => {
    const spot = childElements(at(root, 'Model/AllSpots'), 'SpotsInFrame')[3]!.children[0]!;
    expect(Object.fromEntries(spot.attributes)).toEqual({
      ID: '7',
      name: 'ID7',
      POSITION_X: '41.3',
      POSITION_Y: '6.1',
      POSITION_Z: '0.9',
      POSITION_T: '6.0',
      FRAME: '3',
      QUALITY: String(10 + 7 * 1.1),
      RADIUS: '0.4',
      VISIBILITY: '1',
      MEAN_INTENSITY_CH1: '737.5',
    });
  });

  it('computes track features as TrackMate analyzers do', () => {
    const tracks = childElements(at(root, 'Model/AllTracks'), 'Track').map((t) => Object.fromEntries(t.attributes));
    expect(tracks.map((t) => [t['name'], t['TRACK_ID'], t['NUMBER_SPOTS'], t['NUMBER_SPLITS'], t['NUMBER_GAPS'], t['LONGEST_GAP']])).toEqual([
      ['Track_0', '0', '3', '0', '0', '0'],
      ['Track_1', '1', '3', '1', '0', '0'],
      ['Track_2', '2', '2', '0', '1', '2'],
    ]);
    expect(tracks[2]).toMatchObject({ TRACK_START: '0.0', TRACK_STOP: '6.0', TRACK_DURATION: '6.0' });
    expect(Number(tracks[2]!['TRACK_DISPLACEMENT'])).toBeCloseTo(Math.hypot(1.2, 0.8, 0.2), 12);
    const edge = childElements(at(root, 'Model/AllTracks'), 'Track')[0]!.children[0]!;
    expect(Object.fromEntries(edge.attributes)).toMatchObject({ SPOT_SOURCE_ID: '0', SPOT_TARGET_ID: '1', EDGE_TIME: '1.0', EDGE_X_LOCATION: '2.0' });
    expect(childElements(at(root, 'Model/FilteredTracks'), 'TrackID').map((t) => t.attributes.get('TRACK_ID'))).toEqual(['0', '1', '2']);
  });

  it('writes image, detector and LAP tracker settings with the nested elements TrackMate requires', () => {
    expect(Object.fromEntries(at(root, 'Settings/ImageData').attributes)).toMatchObject({
      filename: 'cells & <nuclei>.tif',
      folder: '/data/llsm "run 1"',
      width: '64',
      timeinterval: '2.0',
    });
    expect(Object.fromEntries(at(root, 'Settings/BasicSettings').attributes)).toMatchObject({ xend: '63', yend: '47', zend: '7', tend: '3' });
    expect(at(root, 'Settings/DetectorSettings').attributes.get('THRESHOLD')).toBe('2.5');
    expect(at(root, 'Settings/DetectorSettings').attributes.get('RADIUS')).toBe('0.4');
    const tracker = at(root, 'Settings/TrackerSettings');
    expect(tracker.attributes.get('BLOCKING_VALUE')).toBe('Infinity');
    expect(tracker.children.map((c) => c.name)).toEqual(['Linking', 'GapClosing', 'TrackSplitting', 'TrackMerging']);
    expect(at(tracker, 'Linking').attributes.get('LINKING_MAX_DISTANCE')).toBe('3.0');
    expect(at(tracker, 'GapClosing').attributes.get('MAX_FRAME_GAP')).toBe('3');
    expect(at(tracker, 'TrackMerging/FeaturePenalties').attributes.size).toBe(0);
  });

  it('orients edges from the earlier spot and covers the spots when the image is unknown', () => {
    const reversed: TrackingResult = { ...sample, image: undefined, tracks: [{ id: 5, spotIds: [0, 1], edges: [{ source: 1, target: 0, cost: 1 }] }] };
    const doc = parseXml(formatTrackMateXml(reversed));
    expect(at(doc, 'Model/AllTracks/Track/Edge').attributes.get('SPOT_SOURCE_ID')).toBe('0');
    expect(Object.fromEntries(at(doc, 'Settings/ImageData').attributes)).toMatchObject({
      filename: '',
      width: '61',
      height: '61',
      nslices: '4',
      nframes: '4',
      pixelwidth: '1.0',
    });
  });

  it.each([
    ['a track without edges', { tracks: [{ id: 0, spotIds: [0], edges: [] }] }, /track 0: has no edges/],
    ['an unknown spot', { tracks: [{ id: 0, spotIds: [0, 99], edges: [{ source: 0, target: 99, cost: 0 }] }] }, /unknown spot 99/],
    ['a spot in two tracks', { tracks: [sample.tracks[0]!, { ...sample.tracks[0]!, id: 1 }] }, /spot 0 is also in track 0/],
    ['spotIds not matching the edges', { tracks: [{ id: 0, spotIds: [0, 1, 2], edges: [{ source: 0, target: 1, cost: 0 }] }] }, /spotIds differ/],
    ['a fractional spot id', { spots: [{ ...sample.spots[0]!, id: 0.5 }], tracks: [] }, /spot id must be an integer/],
    ['duplicate spot ids', { spots: [sample.spots[0]!, sample.spots[0]!], tracks: [] }, /duplicate spot id 0/],
  ])('refuses %s', (_what, patch, message) => {
    const error = (() => {
      try {
        formatTrackMateXml({ ...sample, ...patch } as TrackingResult);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).code).toBe('BAD_PARAMETER');
    expect((error as ToolError).message).toMatch(message);
  });
});
