import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { PackageCache } from './package-cache.js';
import type { SolvedRecord } from './rattler-solver.js';
import { condaZip, P_TAR_BZ2, tarArchive, zstdStored } from './test-support/archive-builders.js';

let root: string;
let server: http.Server;
let base: string;
let archive: Buffer;
let hits = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-pkgcache-'));
  archive = Buffer.from(P_TAR_BZ2.first, 'base64');
  server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/c/noarch/p-1-0.tar.bz2') res.end(archive);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/c`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(root, { recursive: true, force: true });
});

const record = (bytes: Buffer, url = `${base}/noarch/p-1-0.tar.bz2`): SolvedRecord => ({
  name: 'p',
  version: '1',
  build: '0',
  buildNumber: 0,
  channel: base,
  subdir: 'noarch',
  url,
  filename: 'p-1-0.tar.bz2',
  sha256: createHash('sha256').update(bytes).digest('hex'),
  depends: [],
});

describe('PackageCache', () => {
  it('downloads once, extracts once, and records where the package came from', async () => {
    const cache = new PackageCache(path.join(root, 'pkgs-1'));
    const r = record(archive);
    const before = hits;
    const file = await cache.archive(r);
    expect(await cache.archive(r)).toBe(file);
    expect(hits - before).toBe(1);
    const folder = await cache.extracted(r, file);
    expect(await readFile(path.join(folder, 'share', 'f.txt'), 'utf8')).toBe('first\n');
    expect(JSON.parse(await readFile(path.join(folder, 'info', 'repodata_record.json'), 'utf8'))).toMatchObject({
      name: 'p',
      url: r.url,
      channel: base,
      sha256: r.sha256,
      fn: 'p-1-0.tar.bz2',
    });
  });

  it('rejects an archive whose checksum differs from the channel index and keeps nothing of it', async () => {
    const dir = path.join(root, 'pkgs-2');
    const wrong = { ...record(archive), sha256: '0'.repeat(64) };
    const error = (await new PackageCache(dir).archive(wrong).catch((e: unknown) => e)) as RunnerError;
    expect(error).toBeInstanceOf(RunnerError);
    expect(error.message).toContain(`cannot download conda package p-1-0.tar.bz2 from ${wrong.url} (channel ${base}): checksum mismatch`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('names a package the channel does not serve', async () => {
    const error = (await new PackageCache(path.join(root, 'pkgs-3'))
      .archive(record(archive, `${base}/noarch/gone-1-0.tar.bz2`))
      .catch((e: unknown) => e)) as RunnerError;
    expect(error.message).toContain('HTTP 404');
    expect(error.details['package']).toBe('p');
  });

  it('extracts a .conda package (zip of zstd tars) the same way', async () => {
    const dir = path.join(root, 'pkgs-conda');
    const bytes = condaZip([
      { name: 'metadata.json', data: Buffer.from('{"conda_pkg_format_version": 2}') },
      { name: 'pkg-q-1-0.tar.zst', data: zstdStored(tarArchive([{ path: 'share/q.txt', content: 'from a .conda\n' }])) },
      {
        name: 'info-q-1-0.tar.zst',
        data: zstdStored(tarArchive([{ path: 'info/index.json', content: '{"name":"q","version":"1","build":"0","build_number":0,"depends":[]}' }])),
      },
    ]);
    const source = path.join(root, 'q-1-0.conda');
    await writeFile(source, bytes);
    const r = { ...record(bytes, pathToFileURL(source).href), name: 'q', filename: 'q-1-0.conda' };
    const cache = new PackageCache(dir);
    const folder = await cache.extracted(r, await cache.archive(r));
    expect(folder).toBe(path.join(dir, 'q-1-0'));
    expect(await readFile(path.join(folder, 'share', 'q.txt'), 'utf8')).toBe('from a .conda\n');
    expect(JSON.parse(await readFile(path.join(folder, 'info', 'repodata_record.json'), 'utf8'))).toMatchObject({ name: 'q', fn: 'q-1-0.conda' });
  });

  it('rejects a damaged archive naming it, and keeps nothing of the extraction', async () => {
    const dir = path.join(root, 'pkgs-damaged');
    const bytes = Buffer.from(archive);
    bytes[120] = (bytes[120] as number) ^ 0xff;
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'p-1-0.tar.bz2');
    await writeFile(file, bytes);
    const error = (await new PackageCache(dir).extracted(record(bytes), file).catch((e: unknown) => e)) as RunnerError;
    expect(error).toBeInstanceOf(RunnerError);
    expect(error.message).toContain(`cannot extract conda package ${file}: damaged bzip2 data`);
    expect(error.details['package']).toBe('p');
    expect(await readdir(dir)).toEqual(['p-1-0.tar.bz2']);
  });

  it('extracts again when the same file name comes from another archive', async () => {
    const dir = path.join(root, 'pkgs-4');
    const cache = new PackageCache(dir);
    const first = record(archive);
    await cache.extracted(first, await cache.archive(first));
    const other = Buffer.from(P_TAR_BZ2.second, 'base64');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'p-1-0.tar.bz2'), other);
    const folder = await cache.extracted(record(other, 'file:///elsewhere/p-1-0.tar.bz2'), path.join(dir, 'p-1-0.tar.bz2'));
    expect(await readFile(path.join(folder, 'share', 'f.txt'), 'utf8')).toBe('second\n');
  });
});

describe('PackageCache sharing', () => {
  it('lets two caches on one folder extract the same package at once, leaving one folder and no leftovers', async () => {
    const dir = path.join(root, 'pkgs-shared');
    const r = record(archive);
    const file = await new PackageCache(dir).archive(r);
    const folders = await Promise.all([
      new PackageCache(dir).extracted(r, file),
      new PackageCache(dir).extracted(r, file),
      new PackageCache(dir).extracted(r, file),
    ]);
    expect(new Set(folders).size).toBe(1);
    expect(await readFile(path.join(folders[0] as string, 'share', 'f.txt'), 'utf8')).toBe('first\n');
    expect((await readdir(dir)).sort()).toEqual(['p-1-0', 'p-1-0.tar.bz2']);
  });
});

describe('PackageCache sweep', () => {
  it('removes partial downloads and extractions older than the age given, and nothing else', async () => {
    const dir = path.join(root, 'pkgs-sweep');
    await mkdir(path.join(dir, 'x-1-0.extract-abc'), { recursive: true });
    await writeFile(path.join(dir, 'x-1-0.tar.bz2.part-1-abc'), 'partial');
    await writeFile(path.join(dir, 'x-1-0.tar.bz2'), 'whole');
    await new PackageCache(dir).sweep();
    expect((await readdir(dir)).sort()).toEqual(['x-1-0.extract-abc', 'x-1-0.tar.bz2', 'x-1-0.tar.bz2.part-1-abc']);
    await new Promise((r) => setTimeout(r, 20));
    await new PackageCache(dir).sweep(10);
    expect(await readdir(dir)).toEqual(['x-1-0.tar.bz2']);
  });
});

describe('PackageCache downloads', () => {
  it('abandons a download that stalls, naming the package', async () => {
    const stalling = http.createServer((_, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
    });
    await new Promise<void>((r) => stalling.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}/c/noarch/p-1-0.tar.bz2`;
      const dir = path.join(root, 'pkgs-stall');
      const error = (await new PackageCache(dir, 200).archive(record(archive, url)).catch((e: unknown) => e)) as RunnerError;
      expect(error).toBeInstanceOf(RunnerError);
      expect(error.message).toContain('no data for 0.2 s');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      stalling.closeAllConnections();
      await new Promise((r) => stalling.close(r));
    }
  });
});
