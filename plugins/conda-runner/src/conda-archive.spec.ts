import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condaArchiveMembers, extractCondaArchive } from './conda-archive.js';
import { buildPackage } from './test-support/conda-channel.js';
import { hasCph } from './test-support/test-packages.js';

const run = (argv: string[]): Promise<boolean> => new Promise((resolve) => execFile(argv[0] as string, argv.slice(1), (e) => resolve(e === null)));
const cph = await hasCph();
const zstd = 'createZstdDecompress' in zlib || (await run(['zstd', '--version']));
const reason = !cph ? 'cph (conda-package-handling) is not installed' : !zstd ? 'neither Node zstd (>= 22.15) nor the zstd program is available' : undefined;
if (reason !== undefined && process.env['CI'] !== 'true') console.warn(`conda-runner .conda extraction suite skipped: ${reason}`);

describe.runIf(reason === undefined || process.env['CI'] === 'true')('.conda archives without Python', () => {
  let work: string;
  let archive: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-archive-'));
    archive = await buildPackage(work, {
      name: 'biit-zst',
      version: '2.1.0',
      format: '.conda',
      files: { 'share/biit-zst/data.txt': { content: 'zstd inside a zip\n' }, 'bin/biit-zst': { content: '#!/bin/sh\necho zst\n', executable: true } },
    });
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

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
    expect(JSON.parse(await readFile(path.join(ours, 'info', 'index.json'), 'utf8'))).toMatchObject({ name: 'biit-zst', version: '2.1.0' });
  });

  it('names a file that is not a .conda archive', async () => {
    const bogus = path.join(work, 'bogus.conda');
    await writeFile(bogus, 'not a zip at all, just some text that is long enough to scan');
    await expect(extractCondaArchive(bogus, work)).rejects.toThrow(`${bogus} is not a .conda archive (no zip directory)`);
  });
});
