import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../formats/csv.js';
import { JpegCodec } from '../formats/jpeg-codec.js';
import { PngCodec } from '../formats/png-codec.js';
import { readTiffFileLayout } from '../formats/tiff-metadata.js';
import { readTiffPixels } from '../formats/tiff-pixels.js';
import { SYNTHETIC_PLATE_CHANNELS, writeSyntheticPlate, type SyntheticPlateManifest } from './synthetic-plate.js';

let dir: string;
let plate: SyntheticPlateManifest;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bioimageit-synthetic-plate-'));
  plate = await writeSyntheticPlate(join(dir, 'a'), { timeIncrement: { value: 2.5, unit: 's' } });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const digests = async (folder: string) =>
  Object.fromEntries(
    await Promise.all(
      (await readdir(folder)).sort().map(
        async (f) =>
          [
            f,
            createHash('sha256')
              .update(await readFile(join(folder, f)))
              .digest('hex'),
          ] as const,
      ),
    ),
  );

describe('writeSyntheticPlate', () => {
  it('writes 4 wells × 2 fields of 3-channel ZCYX OME-TIFFs, four PNG / JPEG images and a layout CSV', async () => {
    expect(plate.images.map((i) => i.name)).toEqual(['A01', 'A02', 'B01', 'B02'].flatMap((w) => [1, 2].map((f) => `plate1_${w}_f${f}.ome.tif`)));
    expect(plate.extras.map((e) => [e.name, e.format, e.axes, e.dtype])).toEqual([
      ['plate1_A01_overview.png', 'imagepng', 'YX', 'uint8'],
      ['plate1_A01_overview_rgb.png', 'imagepng', 'YXS', 'uint8'],
      ['plate1_A01_overview16.png', 'imagepng', 'YX', 'uint16'],
      ['plate1_A01_brightfield.jpg', 'imagejpeg', 'YXS', 'uint8'],
    ]);
    expect((await readdir(join(dir, 'a'))).sort()).toEqual([...plate.images.map((i) => i.name), ...plate.extras.map((e) => e.name), 'plate-layout.csv'].sort());
    for (const image of plate.images) {
      const meta = readTiffFileLayout(image.path).metadata;
      expect(meta).toMatchObject({
        axes: 'ZCYX',
        shape: [6, 3, 96, 120],
        dtype: 'uint16',
        channels: SYNTHETIC_PLATE_CHANNELS,
        timeIncrement: { value: 2.5, unit: 's' },
      });
      expect(meta.physicalSize).toEqual({
        x: { value: 0.1625, unit: 'µm' },
        y: { value: 0.1625, unit: 'µm' },
        z: { value: 0.5, unit: 'µm' },
        t: { value: 2.5, unit: 's' },
      });
      expect([image.axes, image.shape]).toEqual([meta.axes, meta.shape]);
      expect(image.nuclei).toBeGreaterThanOrEqual(3);
      expect(image.nuclei).toBeLessThanOrEqual(10);
    }
    for (const extra of plate.extras) {
      const pixels = await (extra.format === 'imagepng' ? new PngCodec() : new JpegCodec()).readPixels(extra.path);
      expect([pixels.axes, pixels.shape, pixels.dtype]).toEqual([extra.axes, extra.shape, extra.dtype]);
    }
    const rows = parseCsv(await readFile(plate.layout.path, 'utf8'));
    expect(rows).toEqual([plate.layout.columns, ...plate.layout.rows]);
    expect(rows.slice(1).map((r) => [r[0], r[3], Number(r[7])])).toEqual(
      ['A01', 'A02', 'B01', 'B02'].map((w, k) => [w, k % 2 === 0 ? 'control' : 'treated', plate.nucleiPerWell[w]]),
    );
    expect(Object.values(plate.nucleiPerWell).reduce((a, b) => a + b, 0)).toBe(plate.images.reduce((n, i) => n + i.nuclei, 0));
  });

  it('puts the nuclei in DAPI only: GFP is brighter than any DAPI pixel', async () => {
    const image = plate.images[0]!;
    const dapi = await readTiffPixels(image.path, { select: { C: 0 } });
    const gfp = await readTiffPixels(image.path, { select: { C: 1 } });
    const values = Array.from(dapi.data);
    const bright = values.filter((v) => v > 700).length;
    expect(bright / dapi.data.length).toBeGreaterThan(0.005);
    expect(bright / dapi.data.length).toBeLessThan(0.1);
    expect(values.reduce((a, b) => Math.max(a, b), 0)).toBeLessThan(Array.from(gfp.data).reduce((a, b) => Math.min(a, b), 65535));
  });

  it('is deterministic, and writes time-lapses as TZCYX', async () => {
    const again = await writeSyntheticPlate(join(dir, 'b'), { timeIncrement: { value: 2.5, unit: 's' } });
    expect(again.images.map((i) => i.nuclei)).toEqual(plate.images.map((i) => i.nuclei));
    expect(await digests(join(dir, 'b'))).toEqual(await digests(join(dir, 'a')));
    const lapse = await writeSyntheticPlate(join(dir, 'c'), { wells: ['C03'], fields: 1, timePoints: 2, shape: [4, 64, 80], seed: 3 });
    expect(lapse.images.map((i) => [i.name, i.axes, i.shape])).toEqual([['plate1_C03_f1.ome.tif', 'TZCYX', [2, 4, 3, 64, 80]]]);
    expect(readTiffFileLayout(lapse.images[0]!.path).metadata).toMatchObject({ axes: 'TZCYX', shape: [2, 4, 3, 64, 80] });
    await expect(writeSyntheticPlate(join(dir, 'd'), { shape: [2, 64, 64] })).rejects.toThrow(RangeError);
  });
});
