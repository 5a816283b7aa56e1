import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, readTiffFileLayout, readTiffPixels, writeTiff, type ChannelMetadata, type PixelArray } from '@bioimageit/core';
import { runBundledScript } from './test-support/run-bundled-script.js';
import { imageVolumes, resolveChannel, volumeLabel } from '../tools/lib/image-volumes.mjs';
import { otsuThreshold } from '../tools/lib/otsu-threshold.mjs';
import { OBJECT_COLUMNS, volumeObjectTableRows } from '../tools/lib/object-tables.mjs';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bioimageit-channels-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs a bundled script with plain node in the test folder. */
const script = (name: string, args: string[]) => runBundledScript(name, args, dir);

const CHANNELS: ChannelMetadata[] = [
  { name: 'DAPI', color: '#0000ff' },
  { name: 'GFP', color: '#00ff00' },
  { name: 'Cy5', color: '#ff00ff' },
];
const PHYSICAL = { x: { value: 0.1625, unit: 'µm' }, y: { value: 0.1625, unit: 'µm' }, z: { value: 0.5, unit: 'µm' }, t: { value: 30, unit: 's' } };
const [T, Z, C, Y, X] = [2, 3, 3, 16, 20];

/**
 * A TZCYX image: in every (t, c) volume, `blobs(t, c)` bright 3×3×3 cubes on a flat background;
 * each channel and time point has its own background and brightness (channel 1 far brighter than
 * channel 0), so one threshold over all of them would not find channel 0's objects.
 */
function hyperstack(): PixelArray {
  const data = new Uint16Array(T * Z * C * Y * X);
  const blobs = (t: number, c: number) => 1 + c + t;
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++) {
      const background = 100 + 2000 * c + 50 * t;
      const bright = background + 400 + 300 * t;
      for (let z = 0; z < Z; z++)
        for (let y = 0; y < Y; y++)
          for (let x = 0; x < X; x++) {
            const inBlob = Array.from({ length: blobs(t, c) }, (_, b) => b).some(
              (b) => y >= 1 + 5 * (b % 3) && y < 4 + 5 * (b % 3) && x >= 1 + 6 * Math.floor(b / 3) && x < 4 + 6 * Math.floor(b / 3),
            );
            data[(((t * Z + z) * C + c) * Y + y) * X + x] = inBlob ? bright : background;
          }
    }
  return { data, shape: [T, Z, C, Y, X], dtype: 'uint16', axes: 'TZCYX', physicalSize: PHYSICAL };
}

describe('channel and time-point handling of the bundled tools', () => {
  beforeAll(async () => {
    await writeTiff(join(dir, 'hyper.ome.tif'), hyperstack(), { ome: true, channels: CHANNELS });
  });

  it('split an image into (T, C) volumes whatever the order of its leading axes', () => {
    expect(imageVolumes({ axes: 'ZCYX', shape: [2, 3, 4, 4] })).toEqual([
      { t: 0, c: 0, planes: [0, 3] },
      { t: 0, c: 1, planes: [1, 4] },
      { t: 0, c: 2, planes: [2, 5] },
    ]);
    expect(imageVolumes({ axes: 'CTZYX', shape: [2, 2, 2, 4, 4] }).map((v) => [v.t, v.c, v.planes])).toEqual([
      [0, 0, [0, 1]],
      [0, 1, [4, 5]],
      [1, 0, [2, 3]],
      [1, 1, [6, 7]],
    ]);
    expect(imageVolumes({ axes: 'YX', shape: [4, 4] })).toEqual([{ t: 0, c: 0, planes: [0] }]);
    expect(volumeLabel({ axes: 'TZCYX' }, { t: 1, c: 0 }, [{ name: 'GFP' }], 1)).toBe('t=1 c=1 (GFP)');
    expect(volumeLabel({ axes: 'ZYX' }, { t: 0, c: 0 }, undefined)).toBe('');
  });

  it('find a channel by index or by name, case-insensitively, and name the file and its channels otherwise', () => {
    const image = { axes: 'ZCYX', shape: [2, 3, 4, 4], channels: CHANNELS };
    expect(resolveChannel('1', image, 'a.tif')).toBe(1);
    expect(resolveChannel('cy5', image, 'a.tif')).toBe(2);
    expect(resolveChannel(' Dapi ', image, 'a.tif')).toBe(0);
    expect(() => resolveChannel('RFP', image, 'a.tif')).toThrow(
      "a.tif: no channel named 'RFP': the file's channels are DAPI, GFP, Cy5 (or give an index 0 to 2)",
    );
    expect(() => resolveChannel('3', image, 'a.tif')).toThrow('a.tif: no channel 3: the file has 3 channel(s) (DAPI, GFP, Cy5), indexes 0 to 2');
    expect(() => resolveChannel('DAPI', { axes: 'ZYX', shape: [2, 4, 4] }, 'b.tif')).toThrow(
      "b.tif: no channel named 'DAPI': the file names none of its 1 channel(s) (or give an index 0 to 0)",
    );
    expect(resolveChannel('0', { axes: 'ZYX', shape: [2, 4, 4] }, 'b.tif')).toBe(0);
  });

  it('write object tables of several volumes with t, c and channel columns first', () => {
    const object = { label: 1, voxels: 27, z: 1, y: 2, x: 2.5 };
    expect(volumeObjectTableRows([{ t: 0, c: 2, channel: 'Cy5', objects: [object, { ...object, label: 2 }] }])).toEqual([
      ['t', 'c', 'channel', ...OBJECT_COLUMNS],
      ['0', '2', 'Cy5', '1', '27', '1', '2', '2.5'],
      ['0', '2', 'Cy5', '2', '27', '1', '2', '2.5'],
    ]);
  });

  it('threshold: Otsu per channel and per time point, never across channels; --channel keeps one channel', async () => {
    const all = await script('threshold.mjs', ['--input', 'hyper.ome.tif', '--method', 'otsu', '--output', 'mask-all.tif']);
    expect(all, all.stderr).toMatchObject({ code: 0 });
    const lines = all.stdout.split('\n').filter((l) => l.startsWith('threshold'));
    expect(lines.map((l) => l.replace(/: \d+;.*/, ''))).toEqual([
      'threshold (otsu) t=0 c=0 (DAPI)',
      'threshold (otsu) t=0 c=1 (GFP)',
      'threshold (otsu) t=0 c=2 (Cy5)',
      'threshold (otsu) t=1 c=0 (DAPI)',
      'threshold (otsu) t=1 c=1 (GFP)',
      'threshold (otsu) t=1 c=2 (Cy5)',
    ]);
    // Each volume's foreground is exactly its cubes: 27 voxels per cube, (1 + c + t) cubes.
    expect(lines.map((l) => Number(/foreground (\d+)/.exec(l)?.[1]))).toEqual([27, 54, 81, 54, 81, 108]);
    const source = hyperstack();
    expect(Number(/: (\d+);/.exec(lines[0] as string)?.[1])).not.toBe(otsuThreshold(source.data));
    const mask = await readTiffPixels(join(dir, 'mask-all.tif'));
    expect([mask.axes, mask.shape, mask.dtype, mask.physicalSize]).toEqual(['TZCYX', [T, Z, C, Y, X], 'uint8', PHYSICAL]);
    expect(readTiffFileLayout(join(dir, 'mask-all.tif')).metadata.channels).toEqual(CHANNELS);

    const gfp = await script('threshold.mjs', ['--input', 'hyper.ome.tif', '--method', 'otsu', '--channel', 'gfp', '--output', 'mask-gfp.tif']);
    expect(gfp, gfp.stderr).toMatchObject({ code: 0 });
    expect(gfp.stdout).toMatch(/threshold \(otsu\) t=0 c=1 \(GFP\): \d+; foreground 54 of 960 pixels\n[\s\S]*t=1 c=1 \(GFP\): \d+; foreground 81 of/);
    const one = await readTiffPixels(join(dir, 'mask-gfp.tif'));
    expect([one.axes, one.shape]).toEqual(['TZCYX', [T, Z, 1, Y, X]]);
    expect(readTiffFileLayout(join(dir, 'mask-gfp.tif')).metadata.channels).toEqual([CHANNELS[1]]);
    const gfpOfAll = await readTiffPixels(join(dir, 'mask-all.tif'), { select: { C: 1 } });
    expect(Array.from(one.data)).toEqual(Array.from(gfpOfAll.data));
  });

  it('count-objects: labels each (T, C) volume; t, c, channel columns for several, the usual columns for one', async () => {
    const all = await script('count-objects.mjs', ['--input', 'mask-all.tif', '--connectivity', 'face', '--min-size', '1', '--output', 'all.csv']);
    expect(all, all.stderr).toMatchObject({ code: 0 });
    expect(all.stdout).toContain('t=1 c=2 (Cy5): 4 object(s)');
    expect(all.stdout).toContain('15 object(s) in 6 volumes');
    const rows = parseCsv(await readFile(join(dir, 'all.csv'), 'utf8'));
    expect(rows[0]).toEqual(['t', 'c', 'channel', 'label', 'voxels', 'centroid_z', 'centroid_y', 'centroid_x']);
    const perVolume = new Map<string, number>();
    for (const [t, c, channel, , voxels] of rows.slice(1)) {
      expect(voxels).toBe('27');
      perVolume.set(`${t}/${c}/${channel}`, (perVolume.get(`${t}/${c}/${channel}`) ?? 0) + 1);
    }
    expect(Object.fromEntries(perVolume)).toEqual({ '0/0/DAPI': 1, '0/1/GFP': 2, '0/2/Cy5': 3, '1/0/DAPI': 2, '1/1/GFP': 3, '1/2/Cy5': 4 });

    const cy5 = await script('count-objects.mjs', [
      '--input',
      'mask-all.tif',
      '--connectivity',
      'full',
      '--min-size',
      '1',
      '--channel',
      'CY5',
      '--output',
      'cy5.csv',
    ]);
    expect(cy5.stdout).toContain('t=0 c=2 (Cy5): 3 object(s)');
    const cy5Rows = parseCsv(await readFile(join(dir, 'cy5.csv'), 'utf8'));
    expect(cy5Rows[0]).toEqual(['t', 'c', 'channel', 'label', 'voxels', 'centroid_z', 'centroid_y', 'centroid_x']);
    expect(cy5Rows.slice(1).map((r) => r.slice(0, 4).join(' '))).toEqual([
      '0 2 Cy5 1',
      '0 2 Cy5 2',
      '0 2 Cy5 3',
      '1 2 Cy5 1',
      '1 2 Cy5 2',
      '1 2 Cy5 3',
      '1 2 Cy5 4',
    ]);

    const extracted = await script('extract-channel.mjs', ['--input', 'mask-all.tif', '--channel', 'DAPI', '--t', '1', '--output', 'dapi-t1.tif']);
    expect(extracted, extracted.stderr).toMatchObject({ code: 0 });
    const single = await script('count-objects.mjs', ['--input', 'dapi-t1.tif', '--connectivity', 'face', '--min-size', '1', '--output', 'single.csv']);
    expect(single.stdout).toContain('t=0 c=0 (DAPI): 2 object(s)');
    expect(parseCsv(await readFile(join(dir, 'single.csv'), 'utf8'))[0]).toEqual([...OBJECT_COLUMNS]);
  });

  it('extract-channel keeps one channel (C of size 1), optionally one time point, with physical sizes and the channel name and colour', async () => {
    const out = await script('extract-channel.mjs', ['--input', 'hyper.ome.tif', '--channel', 'gfp', '--output', 'gfp.tif']);
    expect(out, out.stderr).toMatchObject({ code: 0 });
    expect(out.stdout).toContain('channel 1 (GFP): axes TZCYX, shape [2, 3, 1, 16, 20], 2 time points');
    const gfp = await readTiffPixels(join(dir, 'gfp.tif'));
    const source = await readTiffPixels(join(dir, 'hyper.ome.tif'), { select: { C: 1 } });
    expect([gfp.axes, gfp.shape, gfp.dtype, gfp.physicalSize]).toEqual(['TZCYX', [2, 3, 1, 16, 20], 'uint16', PHYSICAL]);
    expect(Array.from(gfp.data)).toEqual(Array.from(source.data));
    expect(readTiffFileLayout(join(dir, 'gfp.tif')).metadata.channels).toEqual([{ name: 'GFP', color: '#00ff00' }]);

    expect((await script('extract-channel.mjs', ['--input', 'hyper.ome.tif', '--channel', '2', '--t', '1', '--output', 'cy5-t1.tif'])).code).toBe(0);
    const cy5 = await readTiffPixels(join(dir, 'cy5-t1.tif'));
    expect([cy5.axes, cy5.shape]).toEqual(['TZCYX', [1, 3, 1, 16, 20]]);
    expect(Array.from(cy5.data)).toEqual(Array.from((await readTiffPixels(join(dir, 'hyper.ome.tif'), { select: { T: 1, C: 2 } })).data));
  });

  it('gaussian-blur keeps channel names and colours, and --channel blurs only that channel', async () => {
    expect((await script('blur.mjs', ['--input', 'hyper.ome.tif', '--sigma', '1', '--output', 'blur-all.tif'])).code).toBe(0);
    expect(readTiffFileLayout(join(dir, 'blur-all.tif')).metadata).toMatchObject({
      axes: 'TZCYX',
      shape: [T, Z, C, Y, X],
      channels: CHANNELS,
      physicalSize: PHYSICAL,
    });
    expect((await script('blur.mjs', ['--input', 'hyper.ome.tif', '--sigma', '1', '--channel', 'Cy5', '--output', 'blur-cy5.tif'])).code).toBe(0);
    const cy5 = await readTiffPixels(join(dir, 'blur-cy5.tif'));
    expect(cy5.shape).toEqual([T, Z, 1, Y, X]);
    expect(Array.from(cy5.data)).toEqual(Array.from((await readTiffPixels(join(dir, 'blur-all.tif'), { select: { C: 2 } })).data));
    expect(readTiffFileLayout(join(dir, 'blur-cy5.tif')).metadata.channels).toEqual([CHANNELS[2]]);
  });

  it('end a failure with one error line naming the file, the channel asked and the channels it has', async () => {
    const path = join(dir, 'hyper.ome.tif');
    for (const [name, args] of [
      ['threshold', ['threshold.mjs', '--input', path, '--method', 'otsu', '--channel', 'RFP', '--output', 'x.tif']],
      ['count-objects', ['count-objects.mjs', '--input', path, '--connectivity', 'face', '--min-size', '1', '--channel', 'RFP', '--output', 'x.csv']],
      ['gaussian-blur', ['blur.mjs', '--input', path, '--sigma', '1', '--channel', 'RFP', '--output', 'x.tif']],
      ['extract-channel', ['extract-channel.mjs', '--input', path, '--channel', 'RFP', '--output', 'x.tif']],
    ] as const) {
      const [file, ...rest] = args;
      expect(await script(file, [...rest])).toMatchObject({
        code: 1,
        stderr: `${name}: error: ${path}: no channel named 'RFP': the file's channels are DAPI, GFP, Cy5 (or give an index 0 to 2)\n`,
      });
    }
    expect(await script('extract-channel.mjs', ['--input', path, '--channel', '0', '--t', '2', '--output', 'x.tif'])).toMatchObject({
      code: 1,
      stderr: `extract-channel: error: ${path}: no time point 2: the file has 2 (0 to 1)\n`,
    });
    expect(await script('extract-channel.mjs', ['--input', path, '--channel', '0', '--t=-1', '--output', 'x.tif'])).toMatchObject({
      code: 2,
      stderr: 'extract-channel: error: --t must be between 0 and Infinity, got -1\n',
    });
    expect(await script('extract-channel.mjs', ['--input', path, '--channel', ' ', '--output', 'x.tif'])).toMatchObject({
      code: 2,
      stderr: 'extract-channel: error: --channel must be a channel index or name, got an empty value\n',
    });
    const empty = await script('threshold.mjs', ['--input', path, '--method', 'otsu', '--channel=', '--output', 'x.tif']);
    expect(empty, empty.stderr).toMatchObject({ code: 0 });
    expect(empty.stdout.match(/^threshold /gm)).toHaveLength(6);
    expect(await script('extract-channel.mjs', ['--input', path, '--output', 'x.tif'])).toMatchObject({
      code: 2,
      stderr: 'extract-channel: error: missing --channel\n',
    });
  });
});
