import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '@bioimageit/core';
import { RECORD_DIR, RECORD_FILE, type EnvironmentRecord } from './environment-manager.js';
import { ENV_HASH_LENGTH } from './environment-spec.js';
import { withFileLock } from './file-lock.js';

/** One folder of an environments folder: a ready environment (with its record) or a half-made one. */
export interface EnvironmentEntry {
  readonly hash: string;
  readonly prefix: string;
  /** The record of a ready environment; absent for a half-made prefix (removed at its next use). */
  readonly record?: EnvironmentRecord;
  /** Size on disk in bytes, hard links counted once per environment (shared package files count in each). */
  readonly bytes: number;
}

const HASH = new RegExp(`^[0-9a-f]{${ENV_HASH_LENGTH}}$`);

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(full);
    else if (entry.isFile()) total += (await stat(full).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/**
 * The environments of an environments folder, ready or half-made, sorted by creation time
 * (half-made last): for `bioimageit`-style listings and clean-ups. Reads records only; never
 * creates or repairs anything.
 */
export async function listEnvironments(envsDir: string): Promise<EnvironmentEntry[]> {
  const names = (await readdir(envsDir).catch(() => [] as string[])).filter((n) => HASH.test(n));
  const entries = await Promise.all(
    names.map(async (hash): Promise<EnvironmentEntry> => {
      const prefix = path.join(envsDir, hash);
      const text = await readFile(path.join(prefix, RECORD_DIR, RECORD_FILE), 'utf8').catch(() => undefined);
      let record: EnvironmentRecord | undefined;
      try {
        record = text === undefined ? undefined : (JSON.parse(text) as EnvironmentRecord);
      } catch {
        record = undefined;
      }
      return { hash, prefix, ...(record !== undefined && { record }), bytes: await folderBytes(prefix) };
    }),
  );
  const key = (e: EnvironmentEntry): string => e.record?.createdAt ?? '\uffff';
  return entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * Removes one environment (by hash, or a unique prefix of it of at least 6 characters) under its
 * creation lock, so that it is never removed while being made; the next job needing it makes it
 * again. Throws RunnerError UNAVAILABLE when no environment, or more than one, matches.
 */
export async function removeEnvironment(envsDir: string, hashOrPrefix: string): Promise<string> {
  const matches = (await readdir(envsDir).catch(() => [] as string[])).filter((n) => HASH.test(n) && hashOrPrefix.length >= 6 && n.startsWith(hashOrPrefix));
  if (matches.length !== 1) {
    const why =
      hashOrPrefix.length < 6
        ? 'give at least 6 characters of its hash'
        : matches.length === 0
          ? 'no environment matches'
          : `${matches.length} environments match (${matches.join(', ')})`;
    throw new RunnerError('UNAVAILABLE', `cannot remove conda environment '${hashOrPrefix}' from ${envsDir}: ${why}`, {
      details: { envsDir, hash: hashOrPrefix },
    });
  }
  const hash = matches[0] as string;
  await withFileLock(path.join(envsDir, `${hash}.lock`), () => rm(path.join(envsDir, hash), { recursive: true, force: true }));
  return hash;
}
