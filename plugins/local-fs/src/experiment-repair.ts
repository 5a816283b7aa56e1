import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { StorageError, type ExperimentProblem, type ExperimentRepair } from '@bioimageit/core';
import type { CheckScope } from './experiment-check.js';
import type { DatasetRef } from './experiment-layout.js';
import { readJsonFile } from './json-file.js';
import { EXTRAS_KEY } from './v1-documents.js';
import { parseRunDoc, runStatusGap, unknownStatusRecord } from './v1-run-documents.js';

/** Writes a v1 document atomically (the store's ExperimentState.writeV1). */
export type DocumentWriter = (file: string, doc: unknown) => Promise<void>;

/**
 * Fixes the repairable problems of a check (requires the experiment lock and fresh state), each
 * re-read from disk first, so that what changed since the scan is not undone:
 * - duplicate dataset entries: the dataset file is rewritten with the first entry of each url
 *   (the one the index and listings already used), every other key kept;
 * - runs without status: the run file gets its record with status `unknown` under the extras key
 *   (see unknownStatusRecord), every v1 key kept;
 * - index drift: the index (a cache) is replaced whole: its snapshot deleted, then the log
 *   rewritten from the dataset and item files.
 * Data files are never touched. Returns what was done, one entry per file changed (or per thing
 * that could not be done, saying why).
 */
export async function repairExperiment(scope: CheckScope, problems: readonly ExperimentProblem[], write: DocumentWriter): Promise<ExperimentRepair[]> {
  const { layout, state } = scope;
  const repairs: ExperimentRepair[] = [];
  const touched: DatasetRef[] = [];
  const duplicated = new Set(problems.filter((p) => p.kind === 'duplicate-entry' && p.dataset !== undefined).map((p) => p.dataset as string));
  for (const ref of state.refs.filter((r) => duplicated.has(r.name))) {
    const dropped = await dropDuplicateEntries(ref.file, write);
    if (dropped === 0) continue;
    touched.push(ref);
    repairs.push({
      kind: 'duplicate-entry',
      file: layout.relative(ref.file),
      action: `dropped ${dropped} duplicate entr${dropped === 1 ? 'y' : 'ies'} (kept the first of each)`,
    });
  }
  for (const problem of problems.filter((p) => p.kind === 'run-without-status')) {
    const file = path.resolve(layout.root, problem.file);
    const { value } = await readJsonFile(file);
    const doc = parseRunDoc(value, file);
    const gap = runStatusGap(doc);
    if (gap === undefined) continue;
    await write(file, { ...(value as Record<string, unknown>), [EXTRAS_KEY]: unknownStatusRecord(doc, problem.dataset ?? '') });
    repairs.push({
      kind: 'run-without-status',
      file: problem.file,
      action: `recorded status unknown (${gap === 'v1' ? 'BioImageIT v1 recorded none' : 'the record had none'})`,
    });
  }
  if (problems.some((p) => p.kind === 'index-drift')) {
    repairs.push(await rebuildIndex(scope));
  } else if (touched.length > 0) {
    await state.rebuild(touched, 'persist');
  }
  return repairs;
}

/** Rewrites a dataset file without its repeated urls; resolves with how many entries it dropped. */
async function dropDuplicateEntries(file: string, write: DocumentWriter): Promise<number> {
  const { value } = await readJsonFile(file);
  const doc = value as Record<string, unknown>;
  if (!Array.isArray(doc['urls'])) return 0;
  const seen = new Set<string>();
  const urls = (doc['urls'] as unknown[]).filter((entry) => {
    const url = (entry as { url?: unknown } | null)?.url;
    if (typeof url !== 'string') return true;
    if (seen.has(url)) return false;
    seen.add(url);
    return true;
  });
  const dropped = (doc['urls'] as unknown[]).length - urls.length;
  if (dropped > 0) await write(file, { ...doc, urls });
  return dropped;
}

/** Deletes the index snapshot and rewrites the index log from the files (an unreadable item file leaves the log as it was). */
async function rebuildIndex(scope: CheckScope): Promise<ExperimentRepair> {
  const { layout, state } = scope;
  const file = layout.relative(state.index.file);
  try {
    await unlink(state.index.snapshotFile).catch(() => undefined);
    await state.rebuild(state.refs, 'rewrite');
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    return { kind: 'index-drift', file, action: `could not rebuild the index: ${error.message.split(`${layout.root}${path.sep}`).join('')}` };
  }
  return { kind: 'index-drift', file, action: 'deleted the index (a cache) and rebuilt it from the dataset and item files' };
}
