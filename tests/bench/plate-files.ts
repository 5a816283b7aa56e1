/**
 * A folder of many tiny valid TIFFs laid out as a high-content screen, for bench-cli's import of
 * 1,000,000 files: `plateNNN/ROW/COL/pN_ROWCOL_fF_tT.tif` with 96-well plates (rows A-H, columns
 * 01-12), 10 fields per well and 10 time points per field (9,600 files per plate; 100 per folder).
 * Each file is a 2 x 1 uint16 TIFF (236 bytes) whose pixels hold the file's number, so every file
 * has its own sha256. Import reads each file whole (stat, read, sha256, TIFF header and IFDs), so
 * what matters is the count, not the pixels.
 *
 * Import tags: `--folder-keys Plate,Row,Column` and `--tag-regex` {@link PLATE_NAME_TAGS}
 * (Field, Time).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTiff } from '@bioimageit/core';

export const PLATE_FOLDER_KEYS = 'Plate,Row,Column';
export const PLATE_NAME_TAGS = '_f(?<Field>\\d+)_t(?<Time>\\d+)\\.tif$';
export const PLATE_KEYS = 'Plate,Row,Column,Field,Time';
/** 2 of the 8 rows, 4 of the 10 time points: 10 % of the items. */
export const PLATE_WHERE = 'Row in (B, D) AND Time>5';
const PER_PLATE = 8 * 12 * 10 * 10;
const MARKER = '.bench-cli-source.json';

/** Plate, row, column, field and time point of file number `i`. */
function place(i: number): { plate: string; row: string; col: string; field: number; time: number } {
  const well = Math.floor(i / 100) % 96;
  return {
    plate: `plate${String(Math.floor(i / PER_PLATE) + 1).padStart(3, '0')}`,
    row: 'ABCDEFGH'[Math.floor(well / 12)] as string,
    col: String((well % 12) + 1).padStart(2, '0'),
    field: Math.floor(i / 10) % 10,
    time: i % 10,
  };
}

/** Items of a plate folder of `count` files that {@link PLATE_WHERE} selects. */
export function plateWhereHits(count: number): number {
  let hits = 0;
  for (let i = 0; i < count; i++) {
    const p = place(i);
    if ((p.row === 'B' || p.row === 'D') && p.time > 5) hits++;
  }
  return hits;
}

/** True when `dir` already holds a complete plate folder of `count` files (written by {@link writePlateFolder}). */
export function hasPlateFolder(dir: string, count: number): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as { count?: number }).count === count;
  } catch {
    return false;
  }
}

/**
 * Writes `count` files into `dir` (synchronously: one file costs ~15 µs, 1,000,000 about half a
 * minute on an SSD), calling `onProgress` every 100,000 files. The marker file it writes last (a
 * dot-file, which import leaves out) lets a later run reuse the folder.
 */
export function writePlateFolder(dir: string, count: number, onProgress?: (done: number) => void): void {
  const template = Buffer.from(encodeTiff({ data: new Uint16Array([0xa1b2, 0xc3d4]), shape: [1, 2], dtype: 'uint16', axes: 'YX' }));
  const offset = template.indexOf(Buffer.from([0xb2, 0xa1, 0xd4, 0xc3]));
  if (offset < 0) throw new Error('bench: cannot find the pixels in the template TIFF');
  let folder = '';
  for (let i = 0; i < count; i++) {
    const p = place(i);
    const next = join(dir, p.plate, p.row, p.col);
    if (next !== folder) {
      mkdirSync(next, { recursive: true });
      folder = next;
    }
    template.writeUInt32LE(i, offset);
    writeFileSync(join(folder, `p${p.plate.slice(5)}_${p.row}${p.col}_f${p.field}_t${p.time}.tif`), template);
    if ((i + 1) % 100_000 === 0) onProgress?.(i + 1);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), JSON.stringify({ count }));
}
