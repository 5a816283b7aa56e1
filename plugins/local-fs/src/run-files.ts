import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { StorageError, type RunRecord } from '@bioimageit/core';
import type { DatasetRef } from './experiment-layout.js';
import { sameSignature, statSignature, type FileSignature } from './file-signature.js';
import { readJsonFile } from './json-file.js';
import { errnoCode, storageFailure } from './storage-failure.js';
import { parseRunDoc, runRecordOf, toV1RunDoc, type V1RunDoc } from './v1-run-documents.js';

const RUN_FILE = /^run(?:_(\d+))?\.md\.json$/;

/** Name of v1's n-th run file of a dataset: `run.md.json`, then `run_1.md.json`, `run_2.md.json`... */
export function runFileName(n: number): string {
  return n === 0 ? 'run.md.json' : `run_${n}.md.json`;
}

/** One run file of a processed dataset; `doc` is absent (and `error` set) when it cannot be read. */
export interface StoredRun {
  /** File name in the dataset folder. */
  readonly name: string;
  /** Its number (`run.md.json` is 0, `run_3.md.json` is 3): the order runs were made in. */
  readonly number: number;
  readonly doc?: V1RunDoc;
  readonly error?: StorageError;
}

/** Tells whether a file name of the dataset folder is listed as an item (and so is not a run). */
export type ItemFileTest = (name: string) => boolean;

/**
 * The run files of processed datasets, as v1 lays them out beside processed_dataset.md.json.
 * Parsed files are cached by signature, so listing the runs of an unchanged dataset costs a
 * directory read and a stat per run. Writes require the experiment lock.
 */
export class RunFiles {
  private readonly cache = new Map<string, { readonly sig: FileSignature; readonly doc: V1RunDoc }>();

  /** The run files of `ref`'s folder (files listed as items excluded), oldest first. */
  async list(ref: DatasetRef, isItemFile: ItemFileTest): Promise<StoredRun[]> {
    const dir = path.dirname(ref.file);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw storageFailure(error, 'list the runs in', dir);
    }
    const found = names.flatMap((name) => {
      const match = RUN_FILE.exec(name);
      return match === null || isItemFile(name) ? [] : [{ name, number: match[1] === undefined ? 0 : Number(match[1]) }];
    });
    found.sort((a, b) => a.number - b.number || a.name.localeCompare(b.name));
    return Promise.all(found.map(async (run) => ({ ...run, ...(await this.read(path.join(dir, run.name))) })));
  }

  /** The run records of `ref`, oldest first; CORRUPT for a run file that cannot be read. */
  async records(ref: DatasetRef, isItemFile: ItemFileTest): Promise<RunRecord[]> {
    return (await this.list(ref, isItemFile)).map((run) => {
      if (run.doc === undefined) throw run.error as StorageError;
      return runRecordOf(run.doc, ref.name);
    });
  }

  /**
   * Writes `run` into the file that holds its id, or else into the run file after the last one
   * (skipping names taken by items), with `write` (atomic). Returns the file name.
   */
  async save(
    ref: DatasetRef,
    run: RunRecord,
    datasetUuid: string,
    isItemFile: ItemFileTest,
    write: (file: string, doc: V1RunDoc) => Promise<void>,
  ): Promise<string> {
    const runs = await this.list(ref, isItemFile);
    const existing = runs.find((r) => r.doc?.uuid === run.id);
    let name = existing?.name;
    if (name === undefined) {
      let n = runs.length === 0 ? 0 : (runs.at(-1) as StoredRun).number + 1;
      while (isItemFile(runFileName(n))) n++;
      name = runFileName(n);
    }
    const file = path.join(path.dirname(ref.file), name);
    const doc = toV1RunDoc(run, datasetUuid, path.basename(ref.file), existing?.doc);
    await write(file, doc);
    const sig = await statSignature(file);
    if (sig !== undefined) this.cache.set(file, { sig, doc });
    return name;
  }

  private async read(file: string): Promise<{ doc?: V1RunDoc; error?: StorageError }> {
    const sig = await statSignature(file);
    const cached = this.cache.get(file);
    if (cached !== undefined && sameSignature(sig, cached.sig)) return { doc: cached.doc };
    try {
      const { value, signature } = await readJsonFile(file);
      const doc = parseRunDoc(value, file);
      this.cache.set(file, { sig: signature, doc });
      return { doc };
    } catch (error) {
      if (error instanceof StorageError) return { error };
      throw error;
    }
  }
}
