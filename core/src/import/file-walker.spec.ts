import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkFiles, walkRelativePaths } from './file-walker.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'biit-walk-'));
  for (const rel of ['b.tif', 'a.tif', 'notes.txt', '.hidden.tif', 'p1/A01/x.tif', 'p1/A01/y.csv', 'p1/.cache/z.tif']) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), 'x');
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const rels = async (options: Parameters<typeof walkFiles>[1]) => (await walkFiles(root, options)).map((f) => f.relativePath);

describe('walkFiles', () => {
  it('lists the top folder only by default, sorted, without dot-files', async () => {
    expect(await rels({})).toEqual(['a.tif', 'b.tif', 'notes.txt']);
  });
  it('walks sub-folders when recursive, skipping dot-folders', async () => {
    expect(await rels({ recursive: true })).toEqual(['a.tif', 'b.tif', 'notes.txt', 'p1/A01/x.tif', 'p1/A01/y.csv']);
    expect(await rels({ recursive: true, hidden: true })).toContain('p1/.cache/z.tif');
  });
  it('filters by glob on the relative path and by v1-style regex on the name', async () => {
    expect(await rels({ recursive: true, glob: '**/*.tif' })).toEqual(['a.tif', 'b.tif', 'p1/A01/x.tif']);
    expect(await rels({ recursive: true, glob: 'p1/**' })).toEqual(['p1/A01/x.tif', 'p1/A01/y.csv']);
    expect(await rels({ recursive: true, regex: '\\.csv$' })).toEqual(['p1/A01/y.csv']);
  });
  it('accepts a single file, and names a missing path or a bad regex', async () => {
    expect((await walkFiles(join(root, 'a.tif'))).map((f) => f.name)).toEqual(['a.tif']);
    await expect(walkFiles(join(root, 'nope'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('nope') });
    await expect(walkFiles(root, { regex: '(' })).rejects.toMatchObject({ code: 'BAD_REGEX' });
  });
  it('gives the same files as relative paths only (one string a file), with full paths and names under its base', async () => {
    const found = await walkRelativePaths(root, { recursive: true });
    expect(found).toEqual({ base: root, relativePaths: ['a.tif', 'b.tif', 'notes.txt', 'p1/A01/x.tif', 'p1/A01/y.csv'] });
    expect(await walkFiles(root, { recursive: true })).toContainEqual({ path: join(root, 'p1', 'A01', 'x.tif'), relativePath: 'p1/A01/x.tif', name: 'x.tif' });
    expect(await walkRelativePaths(join(root, 'p1', 'A01', 'x.tif'))).toEqual({ base: join(root, 'p1', 'A01'), relativePaths: ['x.tif'] });
    expect((await walkFiles(join(root, 'p1', 'A01', 'x.tif')))[0]?.path).toBe(join(root, 'p1', 'A01', 'x.tif'));
  });
});
