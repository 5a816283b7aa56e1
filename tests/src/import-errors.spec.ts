import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JpegCodec, PngCodec, type DataItem } from '@bioimageit/core';
import { cli, tempDir, writeStack } from './cli-harness.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('bioimageit-import-errors-');
});
afterAll(() => dir.cleanup());

describe('bioimageit import: per-file errors', () => {
  it('names each failed file once, imports the rest, and exits 1', async () => {
    const ws = dir.path;
    await cli(ws, ['init', '.', '--user', 'ada']);
    expect((await cli(ws, ['experiment', 'create', 'E'])).code).toBe(0);
    const incoming = join(ws, 'incoming');
    await mkdir(incoming);
    await writeStack(join(incoming, 'good.tif'), 1);
    await writeFile(join(incoming, 'bad.tif'), 'II*\0garbage');
    const out = await cli(ws, ['import', incoming, '-e', 'E']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/imported 1 item\(s\)/);
    const bad = join(incoming, 'bad.tif');
    const line = out.stderr.split('\n').find((l) => l.startsWith('failed: '));
    expect(line).toMatch(/^failed: .*bad\.tif: .*beyond the end of the file/);
    expect(line?.split(bad).length, line).toBe(2);
    expect(out.stderr).toContain('1 file(s) could not be imported; the other 1 were');
  });

  it('parses a large file from its header before hashing it: a 2 GiB file of zeros named .tif is a per-file error', async () => {
    const ws = dir.path;
    const incoming = join(ws, 'large');
    await mkdir(incoming);
    const zeros = join(incoming, 'zeros.tif');
    const handle = await open(zeros, 'w');
    await handle.truncate(2 * 2 ** 30);
    await handle.close();
    await writeStack(join(incoming, 'fine.tif'), 1);
    const out = await cli(ws, ['import', incoming, '-e', 'E', '--json']);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as { imported: number; failed: { path: string; error: string; code: string }[] };
    expect(report.imported).toBe(1);
    expect(report.failed).toEqual([{ path: zeros, error: `${zeros}: not a TIFF file: bad byte-order mark 0x0000 (expected 'II' or 'MM')`, code: 'CORRUPT' }]);
  });

  it('imports PNG and JPEG as images and names every skipped file with why', async () => {
    const ws = dir.path;
    const incoming = join(ws, 'mixed');
    await mkdir(incoming);
    await new PngCodec().writePixels(join(incoming, 'bright.png'), { data: new Uint16Array(12).fill(900), shape: [3, 4], dtype: 'uint16', axes: 'YX' });
    await new JpegCodec().writePixels(join(incoming, 'field.jpg'), { data: new Uint8Array(8 * 6 * 3).fill(90), shape: [8, 6, 3], dtype: 'uint8', axes: 'YXS' });
    await writeFile(join(incoming, 'notes.xyz'), 'nothing');
    await writeFile(join(incoming, 'README'), 'nothing');
    const out = await cli(ws, ['import', incoming, '-e', 'E']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('imported 2 item(s)');
    expect(out.stdout).toContain(`skipped: ${join(incoming, 'notes.xyz')}: no known format for '.xyz' (known: `);
    expect(out.stdout).toContain(`skipped: ${join(incoming, 'README')}: no known format for a name without extension`);
    expect(out.stdout).toMatch(/known: \.jpeg \.jpg \.png \.ome\.tiff/);
    const items = JSON.parse((await cli(ws, ['query', '-e', 'E', '--json', '--where', "format ~ 'image(png|jpeg)'"])).stdout) as DataItem[];
    expect(items.map((i) => [i.name, i.format, i.metadata['axes'], i.metadata['shape']]).sort()).toEqual([
      ['bright.png', 'imagepng', 'YX', [3, 4]],
      ['field.jpg', 'imagejpeg', 'YXS', [8, 6, 3]],
    ]);
  });
});
