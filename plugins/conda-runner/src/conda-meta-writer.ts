import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LinkedPackage } from './package-linker.js';
import type { SolvedRecord } from './rattler-solver.js';
import { distName } from './package-cache.js';

/**
 * Writes `conda-meta/<dist>.json` for one linked package, in the shape conda, mamba and
 * micromamba write (their `PrefixRecord`): the package's `info/repodata_record.json` (its
 * index.json plus channel, url and checksums, written by the package cache), the files placed
 * and how, and the spec that asked for it.
 */
export async function writePrefixRecord(
  target: string,
  record: SolvedRecord,
  extracted: string,
  linked: LinkedPackage,
  requestedSpec: string | undefined,
): Promise<void> {
  const repodata = JSON.parse(await readFile(path.join(extracted, 'info', 'repodata_record.json'), 'utf8')) as Record<string, unknown>;
  const meta = {
    ...repodata,
    build_number: record.buildNumber,
    files: linked.files,
    paths_data: { paths: linked.paths, paths_version: 1 },
    link: { source: extracted, type: 1 },
    extracted_package_dir: extracted,
    package_tarball_full_path: path.join(path.dirname(extracted), record.filename),
    requested_spec: requestedSpec ?? '',
  };
  const dir = path.join(target, 'conda-meta');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${distName(record.filename)}.json`), `${JSON.stringify(meta, null, 2)}\n`);
}

/** Appends the install to `conda-meta/history` the way conda does (`+channel::dist` lines, the specs asked for). */
export async function appendHistory(target: string, records: readonly SolvedRecord[], specs: readonly string[], when = new Date()): Promise<void> {
  const stamp = when.toISOString().replace('T', ' ').slice(0, 19);
  const lines = [
    `==> ${stamp} <==`,
    '# cmd: bioimageit conda-runner (embedded)',
    ...records.map((r) => `+${r.channel}::${distName(r.filename)}`),
    `# update specs: ${JSON.stringify(specs)}`,
    '',
  ];
  await mkdir(path.join(target, 'conda-meta'), { recursive: true });
  await appendFile(path.join(target, 'conda-meta', 'history'), lines.join('\n'));
}

/** The package a requested spec names (`numpy >=1.2` → `numpy`, `conda-forge::numpy=1` → `numpy`). */
export function specName(spec: string): string {
  return (spec.split('::').pop() ?? spec).trim().split(/[\s=<>!~[]/)[0] ?? spec;
}
