import { readTiffFileLayout, readTiffPixels } from '@bioimageit/core';
import { debianPython, skipWithout } from '@bioimageit/core/testing';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeMipSeries } from './mip-series-tiff.js';

const W = 13;
const H = 7;
const T = 4;
const mips = Array.from({ length: T }, (_, t) => Float32Array.from({ length: W * H }, (_, i) => t * 1000 + i * 0.25 - 3));
const options = { width: W, height: H, pixelSize: { x: 0.104, y: 0.104, unit: 'µm' }, frameInterval: 2.5, timeUnit: 's' };

const dir = mkdtempSync(join(tmpdir(), 'bioimageit-mips-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeMipSeries', () => {
  it('writes a float32 TYX OME-TIFF that core reads back with its calibration', async () => {
    const file = join(dir, 'core.ome.tif');
    await writeMipSeries(file, mips, options);
    const meta = readTiffFileLayout(file).metadata;
    expect(meta).toMatchObject({ shape: [T, H, W], axes: 'TYX', dtype: 'float32' });
    expect(meta.physicalSize?.x).toEqual({ value: 0.104, unit: 'µm' });
    expect(meta.physicalSize?.y).toEqual({ value: 0.104, unit: 'µm' });
    expect(meta.physicalSize?.t ?? meta.timeIncrement).toEqual({ value: 2.5, unit: 's' });
    const pixels = await readTiffPixels(file);
    expect(Array.from(pixels.data)).toEqual(mips.flatMap((m) => Array.from(m)));
  });

  it('rejects no projections and projections of the wrong size', async () => {
    await expect(writeMipSeries(join(dir, 'none.ome.tif'), [], options)).rejects.toThrow(/at least one/);
    await expect(writeMipSeries(join(dir, 'bad.ome.tif'), [mips[0]!, new Float32Array(5)], options)).rejects.toThrow(/projection 1/);
  });
});

const tifffile = debianPython(['tifffile', 'numpy']);
const skip = skipWithout('python', tifffile.why && `${tifffile.why}; apt-get install python3-tifffile`, import.meta.url);

/** What tifffile makes of the file: series shape, axes, dtype, OME calibration and the pixels. */
const DESCRIBE = `
import json, sys, tifffile
import xml.etree.ElementTree as ET
with tifffile.TiffFile(sys.argv[1]) as t:
    s = t.series[0]
    a = s.asarray()
    px = ET.fromstring(t.ome_metadata).find('.//{*}Pixels').attrib
    print(json.dumps({'ome': t.is_ome, 'shape': list(s.shape), 'axes': s.axes, 'dtype': str(s.dtype), 'pages': len(t.pages),
                      'pixels': {k: px.get(k) for k in ('DimensionOrder', 'SizeT', 'SizeZ', 'SizeC', 'PhysicalSizeX', 'PhysicalSizeXUnit', 'PhysicalSizeY', 'TimeIncrement', 'TimeIncrementUnit')},
                      'values': a.ravel().tolist()}))
`;

describe.skipIf(skip)('writeMipSeries read back by tifffile (Debian python3-tifffile)', () => {
  it('is an OME-TIFF of shape (T, Y, X), axes TYX, float32, with physical sizes, time increment and every pixel', async () => {
    const file = join(dir, 'tifffile.ome.tif');
    await writeMipSeries(file, mips, options);
    const read = JSON.parse(execFileSync(tifffile.python!, ['-c', DESCRIBE, file], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(read).toMatchObject({ ome: true, shape: [T, H, W], axes: 'TYX', dtype: 'float32', pages: T });
    expect(read.pixels).toEqual({
      DimensionOrder: 'XYTZC',
      SizeT: String(T),
      SizeZ: '1',
      SizeC: '1',
      PhysicalSizeX: '0.104',
      PhysicalSizeXUnit: 'µm',
      PhysicalSizeY: '0.104',
      TimeIncrement: '2.5',
      TimeIncrementUnit: 's',
    });
    expect(read.values).toEqual(mips.flatMap((m) => Array.from(m)));
  });
});
