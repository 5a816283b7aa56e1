import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { mapConcurrent, StorageError, type ExperimentProblem } from '@bioimageit/core';
import { isTempFileName } from './atomic-write.js';
import { snapshotDiffers, type IndexedEntry } from './experiment-index.js';
import { META_DIR, RUN_LOGS_DIR, type DatasetRef, type ExperimentLayout } from './experiment-layout.js';
import { readItemFile, type ExperimentState } from './experiment-state.js';
import { FolderUris } from './file-uris.js';
import { readJsonFile } from './json-file.js';
import { isInside } from './path-safety.js';
import type { RunFiles } from './run-files.js';
import { errnoCode } from './storage-failure.js';
import { EXTRAS_KEY, parseDatasetDoc, type V1DatasetEntry, type V1ItemDoc } from './v1-documents.js';
import { runStatusGap } from './v1-run-documents.js';

/** What a check works on (the store's own state, fresh: scanned inside one of its reads). */
export interface CheckScope {
  readonly layout: ExperimentLayout;
  readonly state: ExperimentState;
  readonly runs: RunFiles;
  readonly concurrency: number;
}

/** A data file a deep check hashes, with the sha256 its item records. */
export interface HashJob {
  readonly path: string;
  readonly file: string;
  readonly sha256: string;
  readonly dataset: string;
  readonly item: { readonly id: string; readonly name: string };
}

/** What a scan of the metadata and folders found. */
export interface ExperimentScan {
  readonly problems: ExperimentProblem[];
  /** The data files to hash (filled for deep scans only). */
  readonly hashJobs: HashJob[];
  readonly checked: { readonly datasets: number; readonly items: number; readonly runs: number };
}

/** A processed item and the run its origin names. */
interface RunLink {
  readonly dataset: string;
  readonly file: string;
  readonly item: { readonly id: string; readonly name: string };
  readonly runId: string;
}

/** What the scan of one listed entry found. */
interface EntryFindings {
  readonly problems: ExperimentProblem[];
  readonly named: string[];
  readonly link?: RunLink;
  readonly hash?: HashJob;
}

/**
 * Scans an experiment of the local file backend for the problems {@link ExperimentProblem} lists
 * (all but checksum mismatches, see {@link hashDataFiles}). Reads experiment.md.json's datasets
 * from memory (fresh), and from disk each dataset file, every listed item file (compared with
 * what the index serves), one `lstat` per data file, the run files, and the top level of each
 * dataset folder. Writes nothing. Hidden files (temporary files of writers) are left out of
 * the orphans, and folders are not walked: a folder no metadata names is one orphan.
 */
export async function scanExperiment(scope: CheckScope, deep: boolean): Promise<ExperimentScan> {
  const { layout, state } = scope;
  const problems: ExperimentProblem[] = [];
  const hashJobs: HashJob[] = [];
  const named = new Set<string>([layout.experimentFile.toLowerCase()]);
  const shown = (file: string): string => (isInside(layout.root, file) ? layout.relative(file) : file);
  const listed: { ref: DatasetRef; entries: V1DatasetEntry[] }[] = [];
  const runIds = new Set<string>();
  let runCount = 0;

  for (const ref of state.refs) {
    named.add(ref.file.toLowerCase());
    const entries = await datasetEntries(ref, shown(ref.file), problems, layout.root);
    listed.push({ ref, entries });
    if (ref.kind !== 'processed') continue;
    const itemNames = new Set(entries.filter((e) => FolderUris.isPlainChild(e.url)).map((e) => e.url));
    for (const run of await scope.runs.list(ref, (name) => itemNames.has(name))) {
      const file = path.join(path.dirname(ref.file), run.name);
      named.add(file.toLowerCase());
      runCount++;
      if (run.doc === undefined) {
        problems.push({
          kind: 'unreadable-metadata',
          file: shown(file),
          dataset: ref.name,
          message: `run file ${reasonOf(run.error, layout.root)}`,
          repairable: false,
        });
        continue;
      }
      runIds.add(run.doc.uuid);
      const gap = runStatusGap(run.doc);
      if (gap === undefined) continue;
      problems.push({
        kind: 'run-without-status',
        file: shown(file),
        dataset: ref.name,
        run: run.doc.uuid,
        message: gap === 'v1' ? 'the run file records no status (BioImageIT v1 records none)' : 'the run record has no valid status',
        repairable: true,
      });
    }
  }

  const links: RunLink[] = [];
  let itemCount = 0;
  for (const { ref, entries } of listed) {
    itemCount += entries.length;
    const indexed = state.index.datasets.get(ref.key);
    const indexedUrls = indexed?.entries.map((e) => `${e.entry.uuid}\u0000${e.entry.url}`) ?? [];
    const listedUrls = entries.map((e) => `${e.uuid}\u0000${e.url}`);
    const sameList = indexedUrls.length === listedUrls.length && indexedUrls.every((u, i) => u === listedUrls[i]);
    if (!sameList) {
      problems.push({
        kind: 'index-drift',
        file: shown(ref.file),
        dataset: ref.name,
        message: `the index lists ${indexedUrls.length} item(s) of this dataset where its file lists ${listedUrls.length}${indexedUrls.length === listedUrls.length ? ' (other ones or in another order)' : ''}`,
        repairable: true,
      });
    }
    const byUrl = new Map((indexed?.entries ?? []).map((e) => [e.entry.url, e]));
    const found = await mapConcurrent(entries, scope.concurrency, (entry) => scanEntry(scope, ref, entry, byUrl.get(entry.url), deep, shown));
    for (const f of found) {
      problems.push(...f.problems);
      for (const p of f.named) named.add(p.toLowerCase());
      if (f.link !== undefined) links.push(f.link);
      if (f.hash !== undefined) hashJobs.push(f.hash);
    }
  }

  for (const link of links) {
    if (runIds.has(link.runId)) continue;
    problems.push({
      kind: 'missing-run',
      file: link.file,
      dataset: link.dataset,
      item: link.item,
      ...(link.runId !== '' && { run: link.runId }),
      message: link.runId === '' ? 'the processed item names no run' : `the processed item was made by run ${link.runId}, whose run file does not exist`,
      repairable: false,
    });
  }

  problems.push(...(await orphanFiles(layout, state.refs, named, shown)));
  return { problems, hashJobs, checked: { datasets: state.refs.length, items: itemCount, runs: runCount } };
}

/**
 * The entries of a dataset file, each url once (first occurrence, as the index keeps them); adds
 * problems for a missing or unreadable file and for urls listed more than once.
 */
async function datasetEntries(ref: DatasetRef, file: string, problems: ExperimentProblem[], root: string): Promise<V1DatasetEntry[]> {
  let urls: readonly V1DatasetEntry[];
  try {
    urls = parseDatasetDoc((await readJsonFile(ref.file)).value, ref.file).urls;
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    const missing = error.code === 'NOT_FOUND' && errnoCode(error.cause) === 'ENOENT';
    problems.push({
      kind: missing ? 'missing-metadata' : 'unreadable-metadata',
      file,
      dataset: ref.name,
      message: missing ? 'the dataset file that experiment.md.json lists does not exist' : `dataset file ${reasonOf(error, root)}`,
      repairable: false,
    });
    return [];
  }
  const counts = new Map<string, number>();
  for (const entry of urls) counts.set(entry.url, (counts.get(entry.url) ?? 0) + 1);
  for (const [url, count] of counts) {
    if (count < 2) continue;
    problems.push({ kind: 'duplicate-entry', file, dataset: ref.name, message: `lists '${url}' ${count} times`, repairable: true });
  }
  const seen = new Set<string>();
  return urls.filter((entry) => {
    if (seen.has(entry.url)) return false;
    seen.add(entry.url);
    return true;
  });
}

/** Checks one listed item: its file against the index, its data file, and the run it names. */
async function scanEntry(
  scope: CheckScope,
  ref: DatasetRef,
  entry: V1DatasetEntry,
  indexed: IndexedEntry | undefined,
  deep: boolean,
  shown: (file: string) => string,
): Promise<EntryFindings> {
  const { layout } = scope;
  const folder = path.dirname(ref.file);
  const problems: ExperimentProblem[] = [];
  let itemFile: string;
  let doc: V1ItemDoc | null;
  try {
    itemFile = FolderUris.isPlainChild(entry.url) ? path.join(folder, entry.url) : layout.resolve(folder, entry.url, ref.file);
  } catch (error) {
    return { problems: [unreadable(ref, shown(ref.file), `lists '${entry.url}': ${reasonOf(error, layout.root)}`)], named: [] };
  }
  try {
    doc = await readItemFile(itemFile);
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    // Its data file is unknown: those named `<stem>.*` beside it (as items are named) are not called orphans.
    const stem = path.basename(itemFile).replace(/\.md\.json$/i, '.');
    const beside = await readdir(path.dirname(itemFile)).catch(() => [] as string[]);
    const named = [itemFile, ...beside.filter((name) => name.startsWith(stem)).map((name) => path.join(path.dirname(itemFile), name))];
    return { problems: [unreadable(ref, shown(itemFile), `item file ${reasonOf(error, layout.root)}`)], named };
  }
  const file = shown(itemFile);
  const drift = indexDrift(indexed, doc);
  if (drift !== undefined) problems.push({ kind: 'index-drift', file, dataset: ref.name, message: drift, repairable: true });
  if (doc === null) {
    problems.push({ kind: 'missing-metadata', file, dataset: ref.name, message: 'the item file that the dataset lists does not exist', repairable: false });
    return { problems, named: [itemFile] };
  }
  const item = { id: doc.uuid, name: doc.common.name };
  const findings: { problems: ExperimentProblem[]; named: string[]; link?: RunLink; hash?: HashJob } = { problems, named: [itemFile] };
  if (doc.origin.type === 'processed') findings.link = { dataset: ref.name, file, item, runId: String(doc.origin.run?.uuid ?? '') };
  const extras = doc[EXTRAS_KEY] ?? {};
  let dataPath: string;
  try {
    const url = doc.common.url;
    dataPath = path.isAbsolute(url)
      ? url
      : FolderUris.isPlainChild(url)
        ? path.join(path.dirname(itemFile), url)
        : layout.resolve(path.dirname(itemFile), url, itemFile);
  } catch (error) {
    problems.push({ ...unreadable(ref, file, `item file ${reasonOf(error, layout.root)}`), item });
    return findings;
  }
  findings.named.push(dataPath);
  if (typeof extras.thumbnail === 'string' && !path.isAbsolute(extras.thumbnail)) findings.named.push(path.resolve(path.dirname(itemFile), extras.thumbnail));
  const referenced = path.isAbsolute(doc.common.url);
  const info = await lstat(dataPath).catch((error: unknown) => error as NodeJS.ErrnoException);
  if (info instanceof Error) {
    const gone = info.code === 'ENOENT' || info.code === 'ENOTDIR';
    problems.push({
      kind: 'missing-data',
      file: shown(dataPath),
      dataset: ref.name,
      item,
      message: gone
        ? referenced
          ? 'the data file referenced in place does not exist (moved or deleted at its source)'
          : 'the data file does not exist'
        : `the data file cannot be read (${info.code ?? info.message})`,
      repairable: false,
    });
    return findings;
  }
  if (info.isFile() && typeof extras.size === 'number' && info.size !== extras.size) {
    problems.push({
      kind: 'size-mismatch',
      file: shown(dataPath),
      dataset: ref.name,
      item,
      message: `the data file has ${info.size} bytes where ${extras.size} were recorded (changed since import)`,
      repairable: false,
    });
  } else if (deep && info.isFile() && typeof extras.sha256 === 'string' && extras.sha256 !== '') {
    findings.hash = { path: dataPath, file: shown(dataPath), sha256: extras.sha256, dataset: ref.name, item };
  }
  return findings;
}

/** How what the index serves for an entry differs from the item file `doc` (undefined: it does not). */
function indexDrift(indexed: IndexedEntry | undefined, doc: V1ItemDoc | null): string | undefined {
  if (indexed === undefined) return 'the index does not list this item';
  let served: V1ItemDoc | null;
  try {
    served = indexed.doc;
  } catch {
    return 'the index cannot read its record of this item';
  }
  if (canonicalJson(served) !== canonicalJson(doc)) {
    if (served === null) return 'the index holds this item as missing, but its file exists';
    if (doc === null) return 'the index still holds this item, whose file no longer exists';
    return 'the index holds another version of this item file (edited behind its back): listings and queries show stale values';
  }
  if (snapshotDiffers(indexed, doc)) return 'the index snapshot holds other values of this item than its file: queries match stale values';
  return undefined;
}

/** JSON text of `value` with object keys sorted (so equal documents compare equal whatever their key order). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The files and folders at the top of each dataset folder that no metadata names (see {@link scanExperiment}). */
async function orphanFiles(
  layout: ExperimentLayout,
  refs: readonly DatasetRef[],
  named: ReadonlySet<string>,
  shown: (file: string) => string,
): Promise<ExperimentProblem[]> {
  const datasetDirs = new Map<string, DatasetRef[]>();
  for (const ref of refs) {
    const dir = path.dirname(ref.file);
    datasetDirs.set(dir, [...(datasetDirs.get(dir) ?? []), ref]);
  }
  // A folder holding something named (a data file in a sub-folder) is not an orphan.
  const dirKeys = new Set([...datasetDirs.keys()].map((d) => d.toLowerCase()));
  const holders = new Set<string>();
  for (const p of named) for (let dir = path.dirname(p); !dirKeys.has(dir) && dir !== path.dirname(dir); dir = path.dirname(dir)) holders.add(dir);
  const problems: ExperimentProblem[] = [];
  for (const [dir, owners] of datasetDirs) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const processed = owners.some((r) => r.kind === 'processed');
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(dir, entry.name);
      const key = full.toLowerCase();
      if (entry.name.startsWith('.') || isTempFileName(entry.name) || named.has(key) || holders.has(key)) continue;
      if (entry.isDirectory() && ((processed && entry.name === RUN_LOGS_DIR) || datasetDirs.has(full) || (dir === layout.root && entry.name === META_DIR)))
        continue;
      problems.push({
        kind: 'orphan-file',
        file: shown(full),
        dataset: (owners[0] as DatasetRef).name,
        message: entry.isDirectory() ? 'a folder in the dataset folder that no metadata names' : 'a file in the dataset folder that no metadata names',
        repairable: false,
      });
    }
  }
  return problems;
}

/**
 * Hashes the data files of a deep check (`concurrency` at a time) and returns a problem for each
 * whose sha256 differs from the recorded one or that cannot be read.
 */
export async function hashDataFiles(jobs: readonly HashJob[], concurrency: number): Promise<ExperimentProblem[]> {
  const outcomes = await mapConcurrent(jobs, concurrency, async (job): Promise<ExperimentProblem | undefined> => {
    let actual: string;
    try {
      actual = await sha256Of(job.path);
    } catch (error) {
      return {
        kind: 'checksum-mismatch',
        file: job.file,
        dataset: job.dataset,
        item: job.item,
        message: `the data file cannot be read to verify its sha256 (${errnoCode(error) ?? 'error'})`,
        repairable: false,
      };
    }
    if (actual === job.sha256.toLowerCase()) return undefined;
    return {
      kind: 'checksum-mismatch',
      file: job.file,
      dataset: job.dataset,
      item: job.item,
      message: `the data file's sha256 is ${actual.slice(0, 12)}…, not the recorded ${job.sha256.slice(0, 12)}… (its content changed)`,
      repairable: false,
    };
  });
  return outcomes.filter((p): p is ExperimentProblem => p !== undefined);
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function unreadable(ref: DatasetRef, file: string, message: string): ExperimentProblem {
  return { kind: 'unreadable-metadata', file, dataset: ref.name, message, repairable: false };
}

/** An error's message with the experiment folder left out (reports name no server path). */
function reasonOf(error: unknown, root: string): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .split(`${root}${path.sep}`)
    .join('')
    .split(root)
    .join('<experiment>')
    .replace(/^cannot read '([^']*)'/, "cannot be read ('$1')")
    .replace(/^corrupt metadata file '([^']*)': /, 'is not valid metadata: ');
}
