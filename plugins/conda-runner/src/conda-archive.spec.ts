import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '@bioimageit/core/testing';
import { condaArchiveMembers, extractCondaArchive, extractPackageArchive, extractTarBz2Archive } from './conda-archive.js';
import { condaZip, P_TAR_BZ2, tarArchive, zstdStored, type TarEntrySpec } from './test-support/archive-builders.js';
import { buildPackage } from './test-support/conda-channel.js';
import { cphMissing } from './test-support/test-packages.js';

let work: string;
let counter = 0;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-archive-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const fresh = async (): Promise<string> => {
  const dir = path.join(work, `dest-${++counter}`);
  await mkdir(dir);
  return dir;
};

/** A `.conda` file made here (zip of zstd tars), without conda-package-handling or a zstd program. */
async function condaFile(name: string, info: readonly TarEntrySpec[], pkg: readonly TarEntrySpec[], damage?: 'pkg'): Promise<string> {
  const pkgTar = zstdStored(tarArchive(pkg));
  const file = path.join(work, name);
  await writeFile(
    file,
    condaZip([
      { name: 'metadata.json', data: Buffer.from('{"conda_pkg_format_version": 2}') },
      { name: `pkg-${name.replace(/\.conda$/, '')}.tar.zst`, data: damage === 'pkg' ? pkgTar.subarray(0, pkgTar.length >> 1) : pkgTar },
      { name: `info-${name.replace(/\.conda$/, '')}.tar.zst`, data: zstdStored(tarArchive(info)) },
    ]),
  );
  return file;
}

describe('conda package archives, unpacked without system programs', () => {
  it('unpacks a .tar.bz2 package', async () => {
    const file = path.join(work, 'p-1-0.tar.bz2');
    await writeFile(file, Buffer.from(P_TAR_BZ2.first, 'base64'));
    const dest = await fresh();
    await extractTarBz2Archive(file, dest);
    expect(await readFile(path.join(dest, 'share', 'f.txt'), 'utf8')).toBe('first\n');
    expect(JSON.parse(await readFile(path.join(dest, 'info', 'index.json'), 'utf8'))).toMatchObject({ name: 'p', version: '1' });
  });

  it('unpacks a .conda package: both tars, modes and links', async () => {
    const file = await condaFile(
      'q-2.0-0.conda',
      [{ path: 'info/index.json', content: '{"name":"q","version":"2.0"}' }],
      [
        { path: 'bin/q', content: '#!/bin/sh\necho q\n', mode: 0o755 },
        { path: 'lib/libq.so.2', content: 'ELF' },
        { path: 'lib/libq.so', type: 'SymbolicLink', linkpath: 'libq.so.2' },
      ],
    );
    expect((await condaArchiveMembers(file)).map((m) => m.name)).toEqual(['metadata.json', 'pkg-q-2.0-0.tar.zst', 'info-q-2.0-0.tar.zst']);
    const dest = await fresh();
    await extractCondaArchive(file, dest);
    expect(JSON.parse(await readFile(path.join(dest, 'info', 'index.json'), 'utf8'))).toEqual({ name: 'q', version: '2.0' });
    expect((await stat(path.join(dest, 'bin', 'q'))).mode & 0o111).not.toBe(0);
    expect(await readlink(path.join(dest, 'lib', 'libq.so'))).toBe('libq.so.2');
    expect(await readdir(dest)).not.toContain('metadata.json');
  });

  it('picks the format by the file name, and names what it cannot unpack', async () => {
    const dest = await fresh();
    await extractPackageArchive(await condaFile('r-1-0.conda', [{ path: 'info/index.json', content: '{}' }], [{ path: 'x.txt', content: 'x' }]), dest);
    expect((await lstat(path.join(dest, 'x.txt'))).isFile()).toBe(true);
    await expect(extractPackageArchive(path.join(work, 'r-1-0.zip'), dest)).rejects.toThrow('r-1-0.zip is neither a .conda nor a .tar.bz2 conda package');
  });

  it('names the member whose data is damaged, and the entry that is unsafe', async () => {
    const damaged = await condaFile('s-1-0.conda', [{ path: 'info/index.json', content: '{}' }], [{ path: 'big.bin', content: Buffer.alloc(4096, 7) }], 'pkg');
    await expect(extractCondaArchive(damaged, await fresh())).rejects.toThrow(/^pkg-s-1-0\.tar\.zst: /);
    const unsafe = await condaFile('t-1-0.conda', [{ path: 'info/index.json', content: '{}' }], [{ path: '../t-escaped.txt', content: 'bad' }]);
    await expect(extractCondaArchive(unsafe, await fresh())).rejects.toThrow("pkg-t-1-0.tar.zst: unsafe entry '../t-escaped.txt'");
    expect(await readdir(work)).not.toContain('t-escaped.txt');
  });

  it('names a file that is not a .conda archive', async () => {
    const bogus = path.join(work, 'bogus.conda');
    await writeFile(bogus, 'not a zip at all, just some text that is long enough to scan');
    await expect(extractCondaArchive(bogus, work)).rejects.toThrow(`${bogus} is not a .conda archive (no zip directory)`);
  });
});

describe.skipIf(skipWithout('cph', await cphMissing(), import.meta.url))('.conda archives made by conda-package-handling', () => {
  let archive: string;
  beforeAll(async () => {
    archive = await buildPackage(work, {
      name: 'biit-zst',
      version: '2.1.0',
      format: '.conda',
      files: { 'share/biit-zst/data.txt': { content: 'zstd inside a zip\n' }, 'bin/biit-zst': { content: '#!/bin/sh\necho zst\n', executable: true } },
    });
  });

  it('lists the stored members of a cph-made .conda', async () => {
    const names = (await condaArchiveMembers(archive)).map((m) => m.name).sort();
    expect(names).toEqual(['info-biit-zst-2.1.0-0.tar.zst', 'metadata.json', 'pkg-biit-zst-2.1.0-0.tar.zst']);
  });

  it('unpacks it as cph x does', async () => {
    const ours = path.join(work, 'ours');
    const theirs = path.join(work, 'theirs');
    await mkdir(ours);
    await extractCondaArchive(archive, ours);
    await new Promise<void>((resolve, reject) => execFile('cph', ['x', archive, '--dest', theirs], (e) => (e === null ? resolve() : reject(e))));
    const list = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true })).map(String).sort();
    expect(await list(ours)).toEqual(await list(theirs));
    expect(await readFile(path.join(ours, 'share', 'biit-zst', 'data.txt'), 'utf8')).toBe('zstd inside a zip\n');
    expect((await stat(path.join(ours, 'bin', 'biit-zst'))).mode & 0o777).toBe((await stat(path.join(theirs, 'bin', 'biit-zst'))).mode & 0o777);
    expect(JSON.parse(await readFile(path.join(ours, 'info', 'index.json'), 'utf8'))).toMatchObject({ name: 'biit-zst', version: '2.1.0' });
  });
});
