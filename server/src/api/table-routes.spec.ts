import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractClient } from '../test-support/contract-client.js';
import { servePreviewWorkspace, type PreviewFixture } from '../test-support/preview-workspace.js';

/** Size of the large generated CSV. */
const LARGE_BYTES = 200 * 2 ** 20;

/** Writes a CSV of about `bytes` bytes (6 columns, quoted names), streaming so that the test itself stays small. */
async function writeLargeCsv(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  out.write('frame,label,x,y,area,name\n');
  let written = 0;
  let row = 0;
  while (written < bytes) {
    let block = '';
    for (let k = 0; k < 2000; k++, row++) block += `${row % 500},${row},${(row * 0.37) % 1000},${(row * 0.91) % 1000},${row % 977},"cell ${row}, plate A"\n`;
    written += block.length;
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return row;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe('table pages (CSV/TSV items) and PNG/JPEG previews', () => {
  let fx: PreviewFixture;
  let api: ContractClient;
  let largeRows: number;
  let large: string | undefined;
  const table = (name: string, query = '') => api.call('GET', `/api/experiments/${fx.experimentId}/items/${fx.ids[name] ?? name}/table${query}`);

  beforeAll(async () => {
    large = await mkdtemp(join(tmpdir(), 'bioimageit-large-csv-'));
    const folder = join(large, 'large');
    await mkdir(folder);
    largeRows = await writeLargeCsv(join(folder, 'large.csv'), LARGE_BYTES);
    await writeFile(join(folder, 'broken.csv'), 'a,b\n1,2\n');
    const utf16 = Buffer.from('\ufeffname\tvalue\r\nµm\t1.5\r\n"x\ty"\t2\r\n', 'utf16le');
    await writeFile(join(folder, 'unicode-text.csv'), utf16);
    fx = await servePreviewWorkspace('bioimageit-tables-', { referenced: [folder] });
    api = new ContractClient(fx.base, fx.server.document);
    // made unparseable after import (import itself refuses such a file)
    await writeFile(join(folder, 'broken.csv'), 'a,b\n1,2\n3,"never closed\n4,5\n');
  }, 180_000);
  afterAll(async () => {
    await fx?.cleanup();
    if (large !== undefined) await rm(large, { recursive: true, force: true });
  });

  it('flags table items in the item view (and image items as images)', async () => {
    const csv = await api.call('GET', `/api/experiments/${fx.experimentId}/items/${fx.ids['quoted.csv']}`);
    expect(csv.json).toMatchObject({ format: 'tablecsv', table: true, image: false });
    const png = await api.call('GET', `/api/experiments/${fx.experimentId}/items/${fx.ids['rgb8.png']}`);
    expect(png.json).toMatchObject({ format: 'imagepng', table: false, image: true });
    const jpeg = await api.call('GET', `/api/experiments/${fx.experimentId}/items/${fx.ids['photo.jpg']}`);
    expect(jpeg.json).toMatchObject({ format: 'imagejpeg', table: false, image: true });
  });

  it('pages a CSV whose quoted fields hold commas, doubled quotes and line breaks', async () => {
    const first = await table('quoted.csv');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ columns: ['id', 'name', 'area', 'comment'], offset: 0, totalRows: 60, truncated: true, delimiter: ',' });
    expect(first.json.rows).toHaveLength(50);
    expect(first.json.rows.slice(0, 3)).toEqual([
      ['1', 'Smith, John', '12.5', 'said "hi"'],
      ['2', 'cell B', '7', 'two\nlines'],
      ['3', 'c,d,e', '-3.25e2', 'plain'],
    ]);
    expect(first.json.rows[49][0]).toBe('50');
    const second = await table('quoted.csv', '?offset=50&limit=50');
    expect(second.json).toMatchObject({ offset: 50, totalRows: 60, truncated: false });
    expect(second.json.rows.map((r: string[]) => r[0])).toEqual(Array.from({ length: 10 }, (_, i) => String(51 + i)));
    const small = await table('quoted.csv', '?offset=2&limit=1');
    expect(small.json).toMatchObject({ rows: [['3', 'c,d,e', '-3.25e2', 'plain']], truncated: true, totalRows: 60 });
    const past = await table('quoted.csv', '?offset=100');
    expect(past.json).toMatchObject({ rows: [], offset: 100, totalRows: 60, truncated: false });
  });

  it('detects tabs and semicolons from the header', async () => {
    const tsv = await table('cells.tsv');
    expect(tsv.json).toMatchObject({
      columns: ['cell', 'area', 'label'],
      rows: [
        ['1', '20.5', 'a\tb'],
        ['2', '31', 'round'],
      ],
      delimiter: '\t',
      totalRows: 2,
    });
    const semi = await table('semicolon.csv');
    expect(semi.json).toMatchObject({
      columns: ['Label', 'Mean', 'Max'],
      rows: [
        ['nucleus 1', '101,5', '250'],
        ['nucleus 2', '99,25', '240'],
      ],
      delimiter: ';',
    });
  });

  it('reads UTF-16 text after its byte-order mark (spreadsheet "Unicode text" exports)', async () => {
    const page = await table('unicode-text.csv');
    expect(page.json).toMatchObject({
      columns: ['name', 'value'],
      rows: [
        ['µm', '1.5'],
        ['x\ty', '2'],
      ],
      delimiter: '\t',
      totalRows: 2,
    });
  });

  it('answers an empty CSV with no columns and no rows, and keeps ragged rows as they are', async () => {
    expect((await table('empty.csv')).json).toMatchObject({ columns: [], rows: [], totalRows: 0, truncated: false });
    const ragged = await table('ragged.csv');
    expect(ragged.json).toMatchObject({
      columns: ['a', 'b', 'c'],
      rows: [
        ['1', '2'],
        ['3', '4', '5', '6'],
        ['7', '8', '9'],
      ],
      totalRows: 3,
      truncated: false,
    });
  });

  it('refuses non-tables (400), unknown items (404), limits over 500 (400), binary and unterminated files (422 naming the line)', async () => {
    const png = await table('rgb8.png');
    expect(png.status).toBe(400);
    expect(png.json.error.message).toContain('rgb8.png');
    expect(png.json.error.message).toContain('imagepng');
    expect((await table('no-such-item')).status).toBe(404);
    const tooMany = await table('quoted.csv', '?limit=501');
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toContain('query.limit');
    const binary = await table('binary.csv');
    expect(binary.status).toBe(422);
    expect(binary.json.error.message).toMatch(/^binary\.csv: line \d+ holds binary data \(a NUL byte\)/);
    const broken = await table('broken.csv');
    expect(broken.status).toBe(422);
    expect(broken.json.error.message).toContain('unterminated quoted field starting on line 3');
    expect(broken.json.error.details).toMatchObject({ line: 3 });
    // a small file is read to its end (to count its rows), so the error shows whichever page is asked
    expect((await table('broken.csv', '?limit=1')).status).toBe(422);
  });

  it(`streams the head of a ${LARGE_BYTES / 2 ** 20} MB CSV with bounded memory, and pages deep into it`, async () => {
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const head = await table('large.csv', '?limit=500');
    const headMs = performance.now() - started;
    expect(head.status).toBe(200);
    expect(head.json).toMatchObject({ columns: ['frame', 'label', 'x', 'y', 'area', 'name'], totalRows: null, truncated: true });
    expect(head.json.rows).toHaveLength(500);
    expect(head.json.rows[0]).toEqual(['0', '0', '0', '0', '0', 'cell 0, plate A']);
    expect(head.json.rows[499][5]).toBe('cell 499, plate A');
    expect(headMs).toBeLessThan(5000);
    const deep = await table('large.csv', '?offset=1000000&limit=3');
    expect(deep.json.rows.map((r: string[]) => r[1])).toEqual(['1000000', '1000001', '1000002']);
    expect(deep.json).toMatchObject({ offset: 1_000_000, totalRows: null, truncated: true });
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(grown, `RSS grew ${grown.toFixed(1)} MiB reading a ${LARGE_BYTES / 2 ** 20} MiB CSV`).toBeLessThan(100);
    expect(largeRows).toBeGreaterThan(2_000_000);
  }, 60_000);

  it.each([
    ['rgb8.png', 'imagepng', 128, 80],
    ['grey16.png', 'imagepng', 128, 77],
    ['photo.jpg', 'imagejpeg', 128, 96],
  ])('previews %s (%s) as a %i×%i PNG, and gives it a thumbnail', async (name, _format, width, height) => {
    const base = `/api/experiments/${fx.experimentId}/items/${fx.ids[name]}`;
    const info = await api.call('GET', `${base}/image`);
    expect(info.status, JSON.stringify(info.json)).toBe(200);
    const preview = await api.call('GET', `${base}/preview.png?size=128`);
    expect(preview.status, new TextDecoder().decode(preview.bytes)).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/png');
    expect(pngSize(preview.bytes)).toEqual({ width, height });
    const thumbnail = await api.call('GET', `${base}/thumbnail.png?size=64`);
    expect(thumbnail.status).toBe(200);
    expect(Math.max(pngSize(thumbnail.bytes).width, pngSize(thumbnail.bytes).height)).toBe(64);
  });
});
