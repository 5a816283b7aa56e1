import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTempPath, writeFileAtomic } from './atomic-write.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'core-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces a file whole from a string, bytes or parts, leaving no temporary file', async () => {
    const file = path.join(dir, 'a.json');
    await writeFileAtomic(file, 'one é');
    expect(await readFile(file, 'utf8')).toBe('one é');
    await writeFileAtomic(file, new TextEncoder().encode('two'), { fsync: false });
    expect(await readFile(file, 'utf8')).toBe('two');
    const big = new Uint8Array(3 << 20).fill(7);
    await writeFileAtomic(file, [new TextEncoder().encode('head'), big, new Uint8Array(0), new TextEncoder().encode('tail')]);
    const back = await readFile(file);
    expect(back.byteLength).toBe(4 + big.byteLength + 4);
    expect(back.subarray(0, 4).toString()).toBe('head');
    expect(back.subarray(-4).toString()).toBe('tail');
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('writes through the temporary file tempPath names, and removes it when the rename fails', async () => {
    const file = path.join(dir, 'b.txt');
    const temps: string[] = [];
    const tempPath = (target: string) => {
      const temp = defaultTempPath(target, path.dirname(target), '@me');
      temps.push(temp);
      return temp;
    };
    await writeFileAtomic(file, 'x', { tempPath });
    expect(path.basename(temps[0]!)).toMatch(/^\.b\.txt\.[0-9a-f]{12}@me\.tmp$/);
    // A folder in the way: the rename fails with the file system's error, nothing is left behind.
    const blocked = path.join(dir, 'folder');
    await writeFile(path.join(dir, 'keep'), 'k');
    await mkdir(path.join(blocked, 'inside'), { recursive: true });
    await expect(writeFileAtomic(blocked, 'y', { tempPath })).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    expect((await readdir(dir)).sort()).toEqual(['b.txt', 'folder', 'keep']);
  });

  it('rejects with the raw error when the folder is missing', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'c.txt'), 'z')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('defaultTempPath', () => {
  it('is hidden, unique, in the target folder (or dir), marked with the pid, and within 255 bytes', () => {
    const a = defaultTempPath('/x/y/name.tif');
    expect(path.dirname(a)).toBe('/x/y');
    expect(path.basename(a)).toMatch(new RegExp(`^\\.name\\.tif\\.[0-9a-f]{12}\\.${process.pid}\\.tmp$`));
    expect(defaultTempPath('/x/y/name.tif')).not.toBe(a);
    expect(path.dirname(defaultTempPath('/x/y/name.tif', '/z'))).toBe('/z');
    const long = path.basename(defaultTempPath(`/x/${'é'.repeat(200)}.tif`));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255);
    expect(long.startsWith(`.${'é'.repeat(10)}`)).toBe(true);
  });
});
