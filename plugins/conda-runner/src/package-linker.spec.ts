import { mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkPackage } from './package-linker.js';

let dir: string;
let source: string;
let target: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-linker-'));
  source = path.join(dir, 'pkgs', 'p-1-0');
  target = path.join(dir, 'staging');
  await mkdir(path.join(source, 'info'), { recursive: true });
  await mkdir(target);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const paths = (entries: object[]) => writeFile(path.join(source, 'info', 'paths.json'), JSON.stringify({ paths: entries, paths_version: 1 }));

describe('linkPackage', () => {
  it('hard-links plain files, rewrites placeholder files as new files, and keeps symbolic links', async () => {
    await mkdir(path.join(source, 'lib'), { recursive: true });
    await writeFile(path.join(source, 'lib', 'plain.so'), 'binary');
    await writeFile(path.join(source, 'lib', 'conf'), '/ph/lib');
    await symlink('plain.so', path.join(source, 'lib', 'alias.so'));
    await paths([
      { _path: 'lib/plain.so', path_type: 'hardlink' },
      { _path: 'lib/conf', path_type: 'hardlink', prefix_placeholder: '/ph', file_mode: 'text' },
      { _path: 'lib/alias.so', path_type: 'softlink' },
    ]);
    const linked = await linkPackage({ source, target, prefix: '/final/env' });
    expect(linked.files).toEqual(['lib/plain.so', 'lib/conf', 'lib/alias.so']);
    expect((await stat(path.join(target, 'lib', 'plain.so'))).ino).toBe((await stat(path.join(source, 'lib', 'plain.so'))).ino);
    expect(await readFile(path.join(target, 'lib', 'conf'), 'utf8')).toBe('/final/env/lib');
    expect(await readFile(path.join(source, 'lib', 'conf'), 'utf8')).toBe('/ph/lib');
    expect(await readlink(path.join(target, 'lib', 'alias.so'))).toBe('plain.so');
  });

  it('refuses a package that lists a file outside the environment', async () => {
    await writeFile(path.join(dir, 'pkgs', 'outside'), 'x');
    await paths([{ _path: '../outside', path_type: 'hardlink' }]);
    await expect(linkPackage({ source, target, prefix: '/final/env' })).rejects.toThrow("p-1-0 lists a file outside the environment: '../outside'");
  });
});
