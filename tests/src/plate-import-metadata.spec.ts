import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataItem } from '@bioimageit/core';
import { debianPython, skipWithout, writeSyntheticPlate, type SyntheticPlateManifest } from '@bioimageit/core/testing';
import { cli, tempDir } from './cli-harness.js';

/**
 * What `bioimageit import` records for a synthetic plate (3-channel ZCYX OME-TIFFs with a time
 * increment, PNG and JPEG images, a CSV layout), field by field against what Debian's
 * python3-tifffile and PIL read from the same files.
 */
const { python, why } = debianPython(['tifffile', 'numpy', 'PIL']);
const skip = skipWithout('python', why, import.meta.url);

/**
 * One JSON line per file, in BioImageIT's vocabulary: OME-TIFF (tifffile: series shape/axes/dtype,
 * OME physical sizes with units, TimeIncrement, channel names and colours as '#rrggbb' from OME's
 * RGBA integer), PNG / JPEG (PIL: size, mode → samples and dtype), CSV (python's csv: header and
 * the number of records).
 */
const DESCRIBE = `
import csv, json, sys, tifffile
from PIL import Image
def q(v, unit, default): return {'value': float('%.9g' % float(v)), 'unit': unit or default}
def rgba(v):
    u = int(v) & 0xffffffff
    return '#%02x%02x%02x' % (u >> 24, (u >> 16) & 255, (u >> 8) & 255)
for path in sys.argv[1:]:
    out = {'path': path}
    if path.endswith('.tif'):
        with tifffile.TiffFile(path) as t:
            s = t.series[0]
            out.update(shape=list(s.shape), axes=s.axes, dtype=str(s.dtype))
            image = tifffile.xml2dict(t.ome_metadata)['OME']['Image']
            px = (image[0] if isinstance(image, list) else image)['Pixels']
            ps = {a.lower(): q(px['PhysicalSize' + a], px.get('PhysicalSize' + a + 'Unit'), 'µm') for a in 'XYZ' if 'PhysicalSize' + a in px}
            if 'TimeIncrement' in px: ps['t'] = out['timeIncrement'] = q(px['TimeIncrement'], px.get('TimeIncrementUnit'), 's')
            out['physicalSize'] = ps
            chans = px.get('Channel', [])
            out['channels'] = [{'name': str(c['Name']), 'color': rgba(c['Color'])} for c in (chans if isinstance(chans, list) else [chans])]
    elif path.endswith('.csv'):
        with open(path, newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f))
        out.update(columns=rows[0], rows=len(rows) - 1)
    else:
        im = Image.open(path)
        samples = len(im.getbands())
        rawmode = im.tile[0][3] if isinstance(im.tile[0][3], str) else im.tile[0][3][0]
        out.update(shape=[im.height, im.width] + ([samples] if samples > 1 else []), axes='YXS' if samples > 1 else 'YX',
                   dtype='uint16' if rawmode.startswith('I;16') else 'uint8', format=im.format)
    print(json.dumps(out, ensure_ascii=False))
`;

let dir: { path: string; cleanup: () => Promise<void> };
let plate: SyntheticPlateManifest;
let items: DataItem[];
let reference: Map<string, Record<string, unknown>>;

describe.skipIf(skip)('import metadata of a synthetic plate, cross-checked with tifffile and PIL', () => {
  beforeAll(async () => {
    dir = await tempDir('biit-plate-meta-');
    const incoming = join(dir.path, 'incoming');
    plate = await writeSyntheticPlate(incoming, { timeIncrement: { value: 2.5, unit: 's' } });
    const ws = join(dir.path, 'ws');
    expect((await cli(dir.path, ['init', ws, '--user', 'tester'])).code).toBe(0);
    expect((await cli(ws, ['experiment', 'create', 'Plate'])).code).toBe(0);
    const imported = await cli(ws, ['import', incoming, '-e', 'Plate', '--tag-regex', '(?<Plate>plate\\d+)_(?<Well>[A-Z]\\d+)(?:_f(?<Field>\\d+))?', '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    items = (JSON.parse(imported.stdout) as { items: DataItem[] }).items;
    const files = [...plate.images.map((i) => i.path), ...plate.extras.map((e) => e.path), plate.layout.path];
    const out = execFileSync(python!, ['-c', DESCRIBE, ...files], { encoding: 'utf8' });
    reference = new Map(
      out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .map((r) => [basename(r['path'] as string), r]),
    );
  }, 120_000);
  afterAll(async () => {
    await dir?.cleanup();
  });

  const item = (name: string) => {
    const found = items.find((i) => i.name === name);
    expect(found, `no item named ${name}`).toBeDefined();
    return found as DataItem;
  };

  it('imports every file with its format and tags', () => {
    expect(items.map((i) => i.name).sort()).toEqual([...plate.images.map((i) => i.name), ...plate.extras.map((e) => e.name), plate.layout.name].sort());
    for (const image of plate.images)
      expect(item(image.name)).toMatchObject({ format: 'imagetiff', tags: { Plate: 'plate1', Well: image.well, Field: image.field } });
    for (const extra of plate.extras) expect(item(extra.name)).toMatchObject({ format: extra.format, tags: { Plate: 'plate1', Well: 'A01' } });
    expect(item(plate.layout.name).format).toBe('tablecsv');
  });

  it('records the OME-TIFFs as tifffile reads them: axes, shape, dtype, physical sizes and units, time increment, channels', () => {
    for (const image of plate.images) {
      const ref = reference.get(image.name) as Record<string, unknown>;
      const meta = item(image.name).metadata;
      expect(ref).toMatchObject({ axes: 'ZCYX', shape: [6, 3, 96, 120], dtype: 'uint16' });
      expect({
        axes: meta.axes,
        shape: meta.shape,
        dtype: meta.dtype,
        physicalSize: meta.physicalSize,
        timeIncrement: meta.timeIncrement,
        channels: meta.channels,
      }).toEqual({
        axes: ref['axes'],
        shape: ref['shape'],
        dtype: ref['dtype'],
        physicalSize: ref['physicalSize'],
        timeIncrement: ref['timeIncrement'],
        channels: ref['channels'],
      });
      expect(meta.channels).toEqual(image.channels);
      expect(meta.physicalSize).toEqual(image.physicalSize);
    }
  });

  it('records the PNG and JPEG images as PIL reads them: shape, axes, dtype', () => {
    for (const extra of plate.extras) {
      const ref = reference.get(extra.name) as Record<string, unknown>;
      const meta = item(extra.name).metadata;
      expect({ shape: meta.shape, axes: meta.axes, dtype: meta.dtype }).toEqual({ shape: ref['shape'], axes: ref['axes'], dtype: ref['dtype'] });
      expect({ shape: meta.shape, axes: meta.axes, dtype: meta.dtype }).toEqual({ shape: extra.shape, axes: extra.axes, dtype: extra.dtype });
      expect(ref['format']).toBe(extra.format === 'imagepng' ? 'PNG' : 'JPEG');
    }
  });

  it("records the layout CSV's columns and rows as python's csv reads them", () => {
    const ref = reference.get(plate.layout.name) as Record<string, unknown>;
    const meta = item(plate.layout.name).metadata;
    expect({ columns: meta['columns'], rows: meta['rows'] }).toEqual({ columns: ref['columns'], rows: ref['rows'] });
    expect(meta['columns']).toEqual(plate.layout.columns);
    expect(meta['rows']).toBe(plate.layout.rows.length);
  });
});
