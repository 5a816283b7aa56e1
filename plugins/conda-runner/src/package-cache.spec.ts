import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { PackageCache } from './package-cache.js';
import type { SolvedRecord } from './rattler-solver.js';

let root: string;
let server: http.Server;
let base: string;
let archive: Buffer;
let hits = 0;

/** A .tar.bz2 made with the system tar: info/index.json and one file whose content is `marker`. */
function tarball(dir: string, marker: string): Buffer {
  execFileSync('sh', ['-c', `rm -rf "$1" && mkdir -p "$1/info" "$1/share" && echo '{"name":"p","version":"1","build":"0","build_number":0,"depends":[]}' > "$1/info/index.json" && echo "$2" > "$1/share/f.txt" && tar -cjf "$1.tar.bz2" -C "$1" info share`, 'sh', dir, marker]);
  return execFileSync('cat', [`${dir}.tar.bz2`]);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-pkgcache-'));
  archive = tarball(path.join(root, 'src-a'), 'first');
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
    expect(JSON.parse(await readFile(path.join(folder, 'info', 'repodata_record.json'), 'utf8'))).toMatchObject({ name: 'p', url: r.url, channel: base, sha256: r.sha256, fn: 'p-1-0.tar.bz2' });
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
    const error = (await new PackageCache(path.join(root, 'pkgs-3')).archive(record(archive, `${base}/noarch/gone-1-0.tar.bz2`)).catch((e: unknown) => e)) as RunnerError;
    expect(error.message).toContain('HTTP 404');
    expect(error.details['package']).toBe('p');
  });

  it('extracts again when the same file name comes from another archive', async () => {
    const dir = path.join(root, 'pkgs-4');
    const cache = new PackageCache(dir);
    const first = record(archive);
    await cache.extracted(first, await cache.archive(first));
    const other = tarball(path.join(root, 'src-b'), 'second');
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
    const folders = await Promise.all([new PackageCache(dir).extracted(r, file), new PackageCache(dir).extracted(r, file), new PackageCache(dir).extracted(r, file)]);
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
