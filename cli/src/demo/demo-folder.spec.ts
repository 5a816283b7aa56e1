import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MARKER, isDemoWorkspace, prepareDemoFolder } from './demo-folder.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bioimageit-demo-folder-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('prepareDemoFolder', () => {
  it('creates a marked folder, and replaces only a previous demo workspace', async () => {
    const dir = join(root, 'a', 'demo');
    expect(await prepareDemoFolder(dir)).toBe('created');
    expect(await readdir(dir)).toEqual([DEMO_MARKER]);
    await writeFile(join(dir, 'old.txt'), 'x');
    expect(await prepareDemoFolder(dir)).toBe('replaced');
    expect(await readdir(dir)).toEqual([DEMO_MARKER]);
  });

  it('takes an empty folder and recognizes demo workspaces made before the marker', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    expect(await prepareDemoFolder(empty)).toBe('created');
    const legacy = join(root, 'legacy');
    await mkdir(join(legacy, 'incoming', 'plate1'), { recursive: true });
    await writeFile(join(legacy, 'bioimageit.config.json'), '{}');
    expect(isDemoWorkspace(legacy)).toBe(true);
    expect(await prepareDemoFolder(legacy)).toBe('replaced');
    expect(existsSync(join(legacy, 'incoming'))).toBe(false);
  });

  it('refuses other folders and files, deleting nothing', async () => {
    const other = join(root, 'workspace');
    await mkdir(other);
    await writeFile(join(other, 'bioimageit.config.json'), '{}');
    await expect(prepareDemoFolder(other)).rejects.toThrow(
      `refusing to replace ${other}: the folder is not empty and is not a demo workspace (no ${DEMO_MARKER} file); choose another folder`,
    );
    expect(await readdir(other)).toEqual(['bioimageit.config.json']);
    const file = join(root, 'file.txt');
    await writeFile(file, 'x');
    await expect(prepareDemoFolder(file)).rejects.toThrow(`${file} is a file, not a folder`);
  });
});
