import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../errors/area-errors.js';
import { debianPython, skipWithout } from '../testing/system-part.js';
import { generateFlavours, pixelError, readFlavourSource, type FlavourCase, type FlavourSet } from './test-support/tiff-flavours.js';
import { readTiffPixels } from './tiff-pixels.js';

/**
 * The flavour sweep (issue 21): source arrays written by tifffile in many storage variants and
 * re-written by libtiff's tiffcp decode to the source pixels: exactly for lossless storage, within
 * {@link LOSSY} for JPEG and YCbCr. A table of every variant and its error is printed.
 */

const { python, why } = debianPython(['tifffile', 'numpy']);
const skip = skipWithout('python', why, import.meta.url);
const tiffcpPath = spawnSync('sh', ['-c', 'command -v tiffcp'], { encoding: 'utf8' }).stdout?.trim() || undefined;
const skipTiffcp = skip || skipWithout('libtiff', tiffcpPath ? undefined : 'tiffcp not found on PATH', import.meta.url);

/** Tolerance for lossy storage, in grey levels of 255. */
const LOSSY = { mean: 2, max: 16 };
/** Tolerance against libtiff's decoding of the same JPEG (libjpeg interpolates chroma, geotiff repeats it). */
const LIBTIFF = { mean: 1.5, max: 16 };

interface Row {
  readonly source: string;
  readonly variant: string;
  readonly result: string;
  readonly ok: boolean;
}

/** Decodes one case and compares it with its source; never throws. */
async function check(set: FlavourSet, dir: string, c: FlavourCase): Promise<Row> {
  const source = set.sources.find((s) => s.name === c.source)!;
  const row = (result: string, ok: boolean): Row => ({ source: c.source, variant: c.variant, result, ok });
  let decoded;
  try {
    decoded = await readTiffPixels(c.file);
  } catch (error) {
    const code = error instanceof FormatError ? error.code : 'thrown';
    const message = error instanceof Error ? error.message : String(error);
    if (c.unsupported !== undefined) {
      const named = code === 'UNSUPPORTED' && message.includes(c.file) && message.includes(c.unsupported);
      return row(`${code}${named ? ' naming file and compression' : `: ${message}`}`, named);
    }
    return row(`${code}: ${message.replace(c.file, '<file>')}`, false);
  }
  if (c.unsupported !== undefined) return row(`decoded, expected UNSUPPORTED ${c.unsupported}`, false);
  const expected = readFlavourSource(dir, source);
  if (decoded.dtype !== source.dtype || decoded.data.length !== expected.length) {
    return row(`decoded ${decoded.shape.join('×')} ${decoded.dtype}, source ${source.shape.join('×')} ${source.dtype}`, false);
  }
  const { mean, max } = pixelError(decoded.data, expected);
  const tolerance = c.tolerance ?? LOSSY;
  let ok = c.lossy ? mean <= tolerance.mean && max <= tolerance.max : max === 0;
  let result = max === 0 ? 'exact' : `mean ${mean.toFixed(3)} max ${max}`;
  if (c.reference !== undefined) {
    const libtiff = pixelError(decoded.data, (await readTiffPixels(c.reference)).data);
    const closeToLibtiff = libtiff.mean <= LIBTIFF.mean && libtiff.max <= Math.max(LIBTIFF.max, tolerance.max);
    result += `; vs libtiff mean ${libtiff.mean.toFixed(3)} max ${libtiff.max}`;
    ok &&= closeToLibtiff;
  }
  return row(result, ok);
}

function table(rows: readonly Row[]): string {
  const w = [Math.max(...rows.map((r) => r.source.length)), Math.max(...rows.map((r) => r.variant.length))];
  return rows.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.source.padEnd(w[0]!)}  ${r.variant.padEnd(w[1]!)}  ${r.result}`).join('\n');
}

describe('TIFF flavour sweep: every variant decodes to its source pixels', () => {
  let dir: string;
  let set: FlavourSet;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bioimageit-tiff-flavours-'));
    if (!skip) set = generateFlavours(python!, dir, skipTiffcp ? undefined : tiffcpPath);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function sweep(filter: (c: FlavourCase) => boolean): Promise<void> {
    const rows: Row[] = [];
    for (const c of set.cases.filter(filter)) rows.push(await check(set, dir, c));
    console.log(`${table(rows)}\n${rows.filter((r) => r.ok).length}/${rows.length} variants as expected`);
    expect(rows.filter((r) => !r.ok).map((r) => `${r.source} ${r.variant}: ${r.result}`)).toEqual([]);
  }

  it.skipIf(skip)('variants written by tifffile (and by hand: subsampled YCbCr)', async () => {
    await sweep((c) => !c.variant.startsWith('tiffcp') && c.knownBug === undefined);
  });

  // Passes while the bug lasts; when geotiff reads big-endian deferred arrays right, move the case into the sweep.
  it.skipIf(skip).fails('known bug: geotiff reads the tag arrays of big-endian files beyond its first fetch as little-endian', async () => {
    const known = set.cases.filter((c) => c.knownBug !== undefined);
    expect(known.length).toBeGreaterThan(0);
    await sweep((c) => c.knownBug !== undefined);
  });

  it.skipIf(skipTiffcp)("variants re-written by libtiff's tiffcp", async () => {
    if (set.refused.length > 0) console.log(`not written:\n${set.refused.map((r) => `  ${r.variant}: ${r.why}`).join('\n')}`);
    const cases = set.cases.filter((c) => c.variant.startsWith('tiffcp'));
    expect(cases.length).toBeGreaterThan(90);
    expect(cases.some((c) => c.variant.includes('-c jpeg -r 16') && c.source === 'u8-rgb')).toBe(true);
    await sweep((c) => c.variant.startsWith('tiffcp'));
  });
});
