import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '@bioimageit/core';
import { redactText } from './redact.js';

/** One installed package, exactly: what a run's provenance records about its environment. */
export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly build: string;
  /** Channel URL or name, without a trailing slash or subdir. */
  readonly channel: string;
  readonly subdir?: string;
  readonly url?: string;
  readonly sha256?: string;
  readonly md5?: string;
}

/** `https://x/conda-forge/linux-64/` → `https://x/conda-forge` (conda writes either form). */
export function normalizeChannel(channel: string, subdir: string | undefined): string {
  let c = channel.replace(/\/+$/, '');
  if (subdir !== undefined && subdir !== '' && c.endsWith(`/${subdir}`)) c = c.slice(0, -subdir.length - 1);
  return c;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** A lock entry from one `conda-meta/<dist>.json` record (written by conda, mamba, micromamba or this runner); credentials in URLs hidden. */
export function lockedPackageOf(record: Record<string, unknown>, file: string): LockedPackage {
  const name = text(record['name']);
  const version = text(record['version']);
  const build = text(record['build']) ?? text(record['build_string']);
  if (name === undefined || version === undefined || build === undefined) {
    throw new RunnerError('UNAVAILABLE', `conda package record ${file} lacks name, version or build`, { details: { file } });
  }
  const subdir = text(record['subdir']);
  const rawUrl = text(record['url']);
  const url = rawUrl === undefined ? undefined : redactText(rawUrl);
  const rawChannel = redactText(text(record['channel']) ?? (url === undefined ? 'unknown' : url.slice(0, url.lastIndexOf('/'))));
  const sha256 = text(record['sha256']);
  const md5 = text(record['md5']);
  return {
    name,
    version,
    build,
    channel: normalizeChannel(rawChannel, subdir),
    ...(subdir !== undefined && { subdir }),
    ...(url !== undefined && { url }),
    ...(sha256 !== undefined && { sha256 }),
    ...(md5 !== undefined && { md5 }),
  };
}

/**
 * The exact package list of a prefix, sorted by name, read from its `conda-meta/*.json` records.
 * Throws RunnerError UNAVAILABLE naming the prefix when it has no `conda-meta` folder or a
 * record cannot be read.
 */
export async function readLock(prefix: string): Promise<LockedPackage[]> {
  const meta = path.join(prefix, 'conda-meta');
  const names = await readdir(meta).catch((cause: unknown) => {
    throw new RunnerError('UNAVAILABLE', `${prefix} is not a conda environment (no conda-meta folder)`, { cause, details: { prefix } });
  });
  const records = await Promise.all(
    names
      .filter((n) => n.endsWith('.json'))
      .map(async (n) => {
        const file = path.join(meta, n);
        try {
          return lockedPackageOf(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>, file);
        } catch (cause) {
          if (cause instanceof RunnerError) throw cause;
          throw new RunnerError('UNAVAILABLE', `cannot read conda package record ${file}`, { cause, details: { prefix, file } });
        }
      }),
  );
  return records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `name=version=build` lines: the compact form shown to users and compared in tests. */
export function lockLines(lock: readonly LockedPackage[]): string[] {
  return lock.map((p) => `${p.name}=${p.version}=${p.build}`);
}
