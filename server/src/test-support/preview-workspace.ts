import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { JpegCodec, createKernel, type ExperimentStore, type Kernel } from '@bioimageit/core';
import { startServer, type RunningServer, type ServeOptions } from '../start-server.js';

/** A served workspace with one experiment of table and PNG/JPEG items, each known by its file name. */
export interface PreviewFixture {
  readonly dir: string;
  readonly kernel: Kernel;
  readonly store: ExperimentStore;
  readonly server: RunningServer;
  readonly experimentId: string;
  /** `server.url` without the trailing slash. */
  readonly base: string;
  /** Item id by file name (`quoted.csv`, `rgb8.png`, ...). */
  readonly ids: Readonly<Record<string, string>>;
  cleanup(): Promise<void>;
}

/** What {@link servePreviewWorkspace} imports besides its standard files. */
export interface PreviewWorkspaceOptions {
  /** Folders whose files are imported in place (`reference` mode), e.g. a large generated CSV. */
  readonly referenced?: readonly string[];
  readonly serve?: Partial<Omit<ServeOptions, 'kernel'>>;
}

/** CSV with quoted fields holding the delimiter, doubled quotes and line breaks, and numeric columns. */
export const QUOTED_CSV =
  'id,name,area,comment\r\n' +
  '1,"Smith, John",12.5,"said ""hi"""\r\n' +
  '2,cell B,7,"two\nlines"\r\n' +
  '3,"c,d,e",-3.25e2,plain\r\n' +
  Array.from({ length: 57 }, (_, i) => `${i + 4},cell ${i + 4},${(i + 4) * 1.5},row ${i + 4}\r\n`).join('');

/** A table wider than the item panel (30 columns) and taller than its scroll box (120 rows). */
export const WIDE_CSV =
  Array.from({ length: 30 }, (_, c) => `measurement_${c + 1}`).join(',') +
  '\n' +
  Array.from({ length: 120 }, (_, r) => Array.from({ length: 30 }, (_, c) => String((r + 1) * (c + 1))).join(',') + '\n').join('');

/** The standard files: tables in several dialects and PNG/JPEG images of known sizes. */
export async function previewFiles(): Promise<Record<string, Uint8Array | string>> {
  return {
    'quoted.csv': QUOTED_CSV,
    'semicolon.csv': 'Label;Mean;Max\nnucleus 1;101,5;250\nnucleus 2;99,25;240\n',
    'empty.csv': '',
    'ragged.csv': 'a,b,c\n1,2\n3,4,5,6\n\n7,8,9\n',
    'binary.csv': binaryBytes(),
    'wide.csv': WIDE_CSV,
    'rgb8.png': encodePng(64, 40, 'rgb8', (x, y) => [x * 4, y * 6, 128]),
    'grey16.png': encodePng(50, 30, 'grey16', (x, y) => [x * 1000 + y * 500]),
    'photo.jpg': await encodeJpeg(80, 60),
  };
}

/**
 * A fresh workspace with one experiment `previews` holding {@link previewFiles} (and `cells.tsv`,
 * a TSV imported as `tablecsv`), plus the files of `options.referenced`, served on a free port.
 */
export async function servePreviewWorkspace(prefix: string, options: PreviewWorkspaceOptions = {}): Promise<PreviewFixture> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const config = { user: { name: 'tester' }, experiments: '.', plugins: ['@bioimageit/local-fs'] };
  await writeFile(join(dir, 'bioimageit.config.json'), JSON.stringify(config, null, 2));
  const incoming = join(dir, 'incoming');
  const tsv = join(dir, 'incoming-tsv');
  await mkdir(incoming);
  await mkdir(tsv);
  for (const [name, content] of Object.entries(await previewFiles())) await writeFile(join(incoming, name), content);
  await writeFile(join(tsv, 'cells.tsv'), 'cell\tarea\tlabel\n1\t20.5\t"a\tb"\n2\t31\tround\n');
  const kernel = await createKernel({ workspace: dir, env: {} });
  const store = await kernel.createExperiment({ name: 'previews', author: 'tester' });
  const reports = [
    await kernel.importData(store, incoming),
    await kernel.importData(store, tsv, { format: 'tablecsv' }),
    ...(await Promise.all((options.referenced ?? []).map((folder) => kernel.importData(store, folder, { mode: 'reference' })))),
  ];
  const failed = reports.flatMap((r) => [...r.failed, ...r.skipped]);
  if (failed.length > 0) throw new Error(`preview workspace: import failed: ${JSON.stringify(failed)}`);
  const ids = Object.fromEntries((await kernel.query(store)).map((item) => [item.name, item.id]));
  const experimentId = (await store.info()).id;
  const server = await startServer({ kernel, port: 0, log: () => undefined, ...options.serve });
  return {
    dir,
    kernel,
    store,
    server,
    experimentId,
    base: server.url.replace(/\/$/, ''),
    ids,
    async cleanup() {
      await server.close();
      await kernel.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Bytes with NULs (no quote characters, so the CSV codec's import accepts them): a binary file misnamed `.csv`. */
function binaryBytes(): Uint8Array {
  const bytes = new Uint8Array(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) % 251;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x22) bytes[i] = 0x23;
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 0);
  return bytes;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A minimal PNG writer (no filtering): 8-bit RGB or 16-bit grey, pixel values from `pixel(x, y)` (clamped to the depth). */
export function encodePng(width: number, height: number, kind: 'rgb8' | 'grey16', pixel: (x: number, y: number) => number[]): Uint8Array {
  const bytesPerPixel = kind === 'rgb8' ? 3 : 2;
  const raw = Buffer.alloc(height * (1 + width * bytesPerPixel));
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0;
    for (let x = 0; x < width; x++) {
      const values = pixel(x, y);
      if (kind === 'rgb8') for (let s = 0; s < 3; s++) raw[o++] = Math.max(0, Math.min(255, Math.round(values[s] ?? 0)));
      else o = raw.writeUInt16BE(Math.max(0, Math.min(65535, Math.round(values[0] ?? 0))), o);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = kind === 'rgb8' ? 8 : 16;
  header[9] = kind === 'rgb8' ? 2 : 0;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

/** A `width`×`height` baseline JPEG of a colour gradient with a disc, written by core's JPEG codec (jpeg-js). */
export async function encodeJpeg(width: number, height: number): Promise<Uint8Array> {
  const data = new Uint8Array(width * height * 3);
  const radius = Math.min(width, height) / 4;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const f = (x / width + y / height) / 2;
      const inDisc = (x - width / 2) ** 2 + (y - height / 2) ** 2 <= radius ** 2;
      const rgb = inDisc ? [0xe4, 0x57, 0x2e] : [0x1d + f * (0xf2 - 0x1d), 0x4e + f * (0xc1 - 0x4e), 0x89 + f * (0x4e - 0x89)];
      data.set(rgb.map(Math.round), (y * width + x) * 3);
    }
  const dir = await mkdtemp(join(tmpdir(), 'biit-jpeg-'));
  try {
    const path = join(dir, 'photo.jpg');
    await new JpegCodec().writePixels(path, { data, shape: [height, width, 3], axes: 'YXS', dtype: 'uint8' });
    return new Uint8Array(await readFile(path));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
