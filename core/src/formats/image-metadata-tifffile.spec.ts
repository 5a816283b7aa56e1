import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PixelArray } from '../extension-points/format-codec.js';
import type { ChannelMetadata } from '../model/data-item.js';
import { debianPython, skipWithout } from '../testing/system-part.js';
import { readTiffMetadata } from './tiff-metadata.js';
import { writeTiff } from './tiff-writer.js';

const { python, why } = debianPython(['tifffile', 'numpy']);
const skip = skipWithout('python', why, import.meta.url);

/**
 * Writes, with tifffile, a 3-channel ZCYX OME-TIFF (names, signed RGBA colours, wavelengths,
 * physical sizes, a time increment) and an ImageJ TZCYX hyperstack with LUTs.
 */
const WRITE = `
import sys, numpy as np, tifffile
d = sys.argv[1]
a = (np.arange(12*3*64*64) % 4093).astype('uint16').reshape(12, 3, 64, 64)
tifffile.imwrite(d + '/tf.ome.tif', a, ome=True, metadata={
    'axes': 'ZCYX', 'PhysicalSizeX': 0.1625, 'PhysicalSizeXUnit': 'µm', 'PhysicalSizeY': 0.1625, 'PhysicalSizeYUnit': 'µm',
    'PhysicalSizeZ': 0.5, 'PhysicalSizeZUnit': 'µm', 'TimeIncrement': 2.5, 'TimeIncrementUnit': 's',
    'Channel': {'Name': ['DAPI', 'GFP', 'Cy5'], 'Color': [65535, 16711935, -16776961],
                'ExcitationWavelength': [405.0, 488.0, 0.64], 'ExcitationWavelengthUnit': ['nm', 'nm', 'µm'],
                'EmissionWavelength': [461.0, 510.0, 670.0]}})
b = (np.arange(4*2*3*32*40) % 251).astype('uint8').reshape(4, 2, 3, 32, 40)
luts = np.zeros((3, 3, 256), 'uint8')
ramp = np.arange(256, dtype='uint8')
luts[0, 2] = ramp; luts[1, 1] = ramp; luts[2, 0] = ramp; luts[2, 2] = ramp // 2
tifffile.imwrite(d + '/ij.tif', b, imagej=True, resolution=(1 / 0.25, 1 / 0.25),
    metadata={'axes': 'TZCYX', 'finterval': 1.5, 'unit': 'um', 'spacing': 0.7, 'LUTs': list(luts)})
`;

/**
 * Prints one JSON line per file: what tifffile reads from it, in BioImageIT's vocabulary (units
 * as OME defaults them, ImageJ's 'um' as 'µm', colours as '#rrggbb' from OME's RGBA integer or
 * from a LUT's last entry, numbers to 9 significant digits as TIFF rationals carry).
 */
const DESCRIBE = `
import json, sys, tifffile
def g9(v): return float('%.9g' % float(v))
def q(v, unit, default): return {'value': g9(v), 'unit': {'um': 'µm', 'micron': 'µm'}.get(unit or default, unit or default)}
def rgba(v):
    u = int(v) & 0xffffffff
    return '#%02x%02x%02x' % (u >> 24, (u >> 16) & 255, (u >> 8) & 255)
for path in sys.argv[1:]:
    with tifffile.TiffFile(path) as t:
        s = t.series[0]
        out = {'shape': list(s.shape), 'axes': s.axes, 'dtype': str(s.dtype), 'ome': t.is_ome, 'imagej': t.is_imagej}
        ps, channels = {}, []
        if t.is_ome:
            image = tifffile.xml2dict(t.ome_metadata)['OME']['Image']
            px = (image[0] if isinstance(image, list) else image)['Pixels']
            for axis in 'XYZ':
                if 'PhysicalSize' + axis in px:
                    ps[axis.lower()] = q(px['PhysicalSize' + axis], px.get('PhysicalSize' + axis + 'Unit'), 'µm')
            if 'TimeIncrement' in px:
                ps['t'] = q(px['TimeIncrement'], px.get('TimeIncrementUnit'), 's')
            chans = px.get('Channel', [])
            for c in (chans if isinstance(chans, list) else [chans]):
                e = {}
                if 'Name' in c: e['name'] = str(c['Name'])
                if 'Color' in c: e['color'] = rgba(c['Color'])
                for kind, key in (('excitation', 'Excitation'), ('emission', 'Emission')):
                    if key + 'Wavelength' in c: e[kind] = q(c[key + 'Wavelength'], c.get(key + 'WavelengthUnit'), 'nm')
                channels.append(e)
        if t.is_imagej:
            ij = t.imagej_metadata
            page = t.pages[0]
            unit = ij.get('unit')
            for axis, tag in (('x', 'XResolution'), ('y', 'YResolution')):
                num, den = page.tags[tag].value
                ps[axis] = q(den / num, unit, 'µm')
            if 'spacing' in ij: ps['z'] = q(ij['spacing'], unit, 'µm')
            if 'finterval' in ij: ps['t'] = q(ij['finterval'], ij.get('tunit'), 's')
            channels = [{'color': '#%02x%02x%02x' % tuple(int(v) for v in lut[:, -1])} for lut in ij.get('LUTs', [])]
        out['physicalSize'] = ps
        if 't' in ps: out['timeIncrement'] = ps['t']
        if channels: out['channels'] = channels
        print(json.dumps(out))
`;

function tifffile(script: string, args: string[]): Array<Record<string, unknown>> {
  const out = execFileSync(python!, ['-c', script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The fields both readers report, from our metadata. */
function ours(path: string): Record<string, unknown> {
  const m = readTiffMetadata(readFileSync(path), path);
  return {
    shape: m.shape,
    axes: m.axes,
    dtype: m.dtype,
    ome: m.ome,
    imagej: m.imagej,
    physicalSize: m.physicalSize ?? {},
    ...(m.timeIncrement && { timeIncrement: m.timeIncrement }),
    ...(m.channels && { channels: m.channels }),
  };
}

const CHANNELS: ChannelMetadata[] = [
  { name: 'DAPI', color: '#0000ff', excitation: { value: 405, unit: 'nm' }, emission: { value: 461, unit: 'nm' } },
  { name: 'GFP', color: '#00ff00', excitation: { value: 488, unit: 'nm' }, emission: { value: 510, unit: 'nm' } },
  { name: 'Cy5 <far red> & "more"', color: '#ff00aa', excitation: { value: 0.64, unit: 'µm' } },
];

describe('image metadata cross-checked with tifffile (Debian python3-tifffile)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bioimageit-image-metadata-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('our OME-TIFF writer: channels, physical sizes and time increment read the same by tifffile and by us', async () => {
    const shape = [12, 3, 64, 64];
    const pixels: PixelArray = {
      data: new Uint16Array(12 * 3 * 64 * 64).map((_, i) => i % 4093),
      shape,
      dtype: 'uint16',
      axes: 'ZCYX',
      physicalSize: { x: { value: 0.1625, unit: 'µm' }, y: { value: 0.1625, unit: 'µm' }, z: { value: 0.5, unit: 'µm' }, t: { value: 2.5, unit: 's' } },
    };
    const path = join(dir, 'ours.ome.tif');
    await writeTiff(path, pixels, { ome: true, channels: CHANNELS });
    const [theirs] = tifffile(DESCRIBE, [path]);
    const expected = {
      shape,
      axes: 'ZCYX',
      dtype: 'uint16',
      ome: true,
      imagej: false,
      physicalSize: pixels.physicalSize,
      timeIncrement: { value: 2.5, unit: 's' },
      channels: CHANNELS,
    };
    expect(theirs).toEqual(expected);
    expect(ours(path)).toEqual(expected);
  });

  it.skipIf(skip)('an OME-TIFF written by tifffile: every field as tifffile reads it (signed colours, wavelength units)', () => {
    tifffile(WRITE, [dir]);
    const path = join(dir, 'tf.ome.tif');
    const [theirs] = tifffile(DESCRIBE, [path]);
    expect(theirs).toMatchObject({
      shape: [12, 3, 64, 64],
      axes: 'ZCYX',
      channels: [
        { name: 'DAPI', color: '#0000ff', excitation: { value: 405, unit: 'nm' }, emission: { value: 461, unit: 'nm' } },
        { name: 'GFP', color: '#00ff00' },
        { name: 'Cy5', color: '#ff0000', excitation: { value: 0.64, unit: 'µm' } },
      ],
      timeIncrement: { value: 2.5, unit: 's' },
    });
    expect(ours(path)).toEqual(theirs);
  });

  it.skipIf(skip)('an ImageJ hyperstack written by tifffile: frames, slices, channels, finterval, unit, spacing and LUT colours', () => {
    tifffile(WRITE, [dir]);
    const path = join(dir, 'ij.tif');
    const [theirs] = tifffile(DESCRIBE, [path]);
    expect(theirs).toMatchObject({
      shape: [4, 2, 3, 32, 40],
      axes: 'TZCYX',
      imagej: true,
      physicalSize: { x: { value: 0.25, unit: 'µm' }, z: { value: 0.7, unit: 'µm' }, t: { value: 1.5, unit: 's' } },
      channels: [{ color: '#0000ff' }, { color: '#00ff00' }, { color: '#ff007f' }],
    });
    expect(ours(path)).toEqual(theirs);
  });
});
