import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { RunnerError } from '@bioimageit/core';
import { extractPackageArchive } from './conda-archive.js';
import { withFileLock } from './file-lock.js';
import type { SolvedRecord } from './rattler-solver.js';

/** The archive's name without `.tar.bz2` / `.conda`: `numpy-1.26.4-py311h_0`. */
export function distName(filename: string): string {
  return filename.replace(/\.tar\.bz2$|\.conda$/, '');
}

async function fileDigest(file: string, algorithm: 'sha256' | 'md5'): Promise<string> {
  const hash = createHash(algorithm);
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Checks an archive against the checksum the channel published (sha256, else md5); returns the mismatch, if any. */
async function checksumMismatch(file: string, record: SolvedRecord): Promise<string | undefined> {
  if (record.sha256 !== undefined) {
    const actual = await fileDigest(file, 'sha256');
    return actual === record.sha256 ? undefined : `sha256 ${actual}, expected ${record.sha256}`;
  }
  if (record.md5 !== undefined) {
    const actual = await fileDigest(file, 'md5');
    return actual === record.md5 ? undefined : `md5 ${actual}, expected ${record.md5}`;
  }
  return undefined;
}

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );

/**
 * The package cache shared by every environment of an environments folder (`<envs>/.pkgs`):
 * archives as the channel served them (checked against the published sha256 or md5) and their
 * extracted folders. Each entry is written to a temporary name and renamed, so a reader never
 * sees half of one; a folder counts as extracted once it holds `info/repodata_record.json` naming
 * the same URL and checksum. Extractions of one package are serialized by `<dist>.lock`.
 */
export class PackageCache {
  /**
   * @param dir the cache folder
   * @param stallMs a download that receives nothing for this long is abandoned (default 60 s)
   */
  constructor(
    readonly dir: string,
    private readonly stallMs = 60_000,
  ) {}

  /**
   * Removes what crashed processes left in the cache: partial downloads (`*.part-*`) and
   * extractions (`*.extract-*`) older than `ageMs` (default one hour; younger ones may be in use).
   */
  async sweep(ageMs = 3_600_000): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const now = Date.now();
    await Promise.all(
      names
        .filter((n) => /\.part-|\.extract-/.test(n))
        .map(async (n) => {
          const file = path.join(this.dir, n);
          const info = await stat(file).catch(() => undefined);
          if (info !== undefined && now - info.mtimeMs > ageMs) await rm(file, { recursive: true, force: true });
        }),
    );
  }

  /** Streams `url` into `file`, aborting when the server sends nothing for `stallMs`. */
  private async download(url: string, file: string, signal?: AbortSignal): Promise<void> {
    const stalled = new AbortController();
    const timer = setTimeout(() => stalled.abort(new Error(`no data for ${this.stallMs / 1000} s`)), this.stallMs);
    const rearm = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        timer.refresh();
        done(null, chunk);
      },
    });
    try {
      const response = await fetch(url, { signal: signal === undefined ? stalled.signal : AbortSignal.any([signal, stalled.signal]) });
      if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), rearm, createWriteStream(file));
    } catch (e) {
      throw stalled.signal.aborted ? stalled.signal.reason : e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Path of the archive, downloading it first when missing or corrupt. Throws RunnerError UNAVAILABLE naming the URL. */
  async archive(record: SolvedRecord, signal?: AbortSignal): Promise<string> {
    const target = path.join(this.dir, record.filename);
    if ((await exists(target)) && (await checksumMismatch(target, record)) === undefined) return target;
    await mkdir(this.dir, { recursive: true });
    const partial = `${target}.part-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      if (record.url.startsWith('file:')) {
        await pipeline(createReadStream(fileURLToPath(record.url)), createWriteStream(partial));
      } else {
        await this.download(record.url, partial, signal);
      }
      const mismatch = await checksumMismatch(partial, record);
      if (mismatch !== undefined) throw new Error(`checksum mismatch (${mismatch})`);
      await rename(partial, target);
      return target;
    } catch (e) {
      await rm(partial, { force: true });
      if (signal?.aborted === true) throw e;
      const cause = (e as { cause?: { code?: string } }).cause;
      const why = cause?.code ?? (e instanceof Error ? e.message : String(e));
      throw new RunnerError('UNAVAILABLE', `cannot download conda package ${record.filename} from ${record.url} (channel ${record.channel}): ${why}`, {
        cause: e,
        details: { package: record.name, url: record.url, channel: record.channel },
      });
    }
  }

  /**
   * The extracted folder of a package (with `info/`), extracting the archive when needed, in this
   * process and without system programs (see `extractPackageArchive`): `.tar.bz2` through a
   * JavaScript bzip2 decoder, `.conda` through Node's zstd (≥ 22.15) or fzstd, both into tar.
   * Throws RunnerError UNAVAILABLE naming the archive when extraction fails (damaged data, an
   * unsafe entry), or `signal`'s reason when cancelled.
   */
  async extracted(record: SolvedRecord, archive: string, signal?: AbortSignal): Promise<string> {
    const folder = path.join(this.dir, distName(record.filename));
    const marker = path.join(folder, 'info', 'repodata_record.json');
    if (await extractedFrom(marker, record)) return folder;
    // One extraction of a package at a time, across processes sharing the cache.
    return withFileLock(`${folder}.lock`, async () => {
      signal?.throwIfAborted();
      if (await extractedFrom(marker, record)) return folder;
      const temp = await mkdtemp(`${folder}.extract-`);
      try {
        await extractPackageArchive(archive, temp, signal);
        await writeFile(path.join(temp, 'info', 'repodata_record.json'), `${JSON.stringify(await repodataRecord(temp, record), null, 2)}\n`);
        await rm(folder, { recursive: true, force: true }); // half-extracted by a crash, or another archive of the same name
        await rename(temp, folder);
        return folder;
      } catch (e) {
        await rm(temp, { recursive: true, force: true });
        if (signal?.aborted === true) throw signal.reason;
        throw new RunnerError('UNAVAILABLE', `cannot extract conda package ${archive}: ${e instanceof Error ? e.message : String(e)}`, {
          cause: e,
          details: { package: record.name, archive },
        });
      }
    });
  }
}

/** True when `marker` (an extracted folder's repodata_record.json) says it holds exactly this archive (same URL and checksum). */
async function extractedFrom(marker: string, record: SolvedRecord): Promise<boolean> {
  const text = await readFile(marker, 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  try {
    const seen = JSON.parse(text) as { url?: string; sha256?: string; md5?: string };
    return seen.url === record.url && seen.sha256 === record.sha256 && seen.md5 === record.md5;
  } catch {
    return false;
  }
}

/** `info/index.json` completed with where the package came from (conda's `info/repodata_record.json`). */
async function repodataRecord(folder: string, record: SolvedRecord): Promise<Record<string, unknown>> {
  const index = JSON.parse(await readFile(path.join(folder, 'info', 'index.json'), 'utf8')) as Record<string, unknown>;
  const { name, version, build, channel, url, filename: fn, sha256, md5, size } = record;
  return {
    ...index,
    name,
    version,
    build,
    channel,
    subdir: index['subdir'] ?? record.subdir,
    fn,
    url,
    ...(sha256 !== undefined && { sha256 }),
    ...(md5 !== undefined && { md5 }),
    ...(size !== undefined && { size }),
  };
}
