import path from 'node:path';
import { mapConcurrent, StorageError } from '@bioimageit/core';
import { sweepTempFiles, writeFileAtomicStamped } from './atomic-write.js';
import { entryDataUrl, ExperimentIndex, type IndexRecord } from './experiment-index.js';
import type { DatasetRef, ExperimentLayout } from './experiment-layout.js';
import { sameSignature, statSignature, type FileSignature } from './file-signature.js';
import { readJsonFile } from './json-file.js';
import { errnoCode, storageFailure } from './storage-failure.js';
import { FolderUris } from './file-uris.js';
import {
  parseDatasetDoc,
  parseExperimentDoc,
  parseItemDoc,
  stringifyV1,
  type V1DatasetDoc,
  type V1DatasetEntry,
  type V1ExperimentDoc,
  type V1ItemDoc,
} from './v1-documents.js';

interface ExperimentRecord {
  readonly doc: V1ExperimentDoc;
  readonly sig: FileSignature;
  readonly refs: readonly DatasetRef[];
}

/**
 * What one open experiment holds in memory, and how it is brought up to date with the disk:
 * experiment.md.json (re-read when its signature changes) and the item index (read
 * incrementally). A dataset whose file signature differs from the one the index recorded was
 * changed behind the index's back (by v1, or by a writer that died before updating the index)
 * and is rebuilt from its .md.json files. Not safe for concurrent calls: the store serializes.
 */
export class ExperimentState {
  readonly index: ExperimentIndex;
  private experiment: ExperimentRecord | undefined;

  constructor(
    readonly layout: ExperimentLayout,
    private readonly ioConcurrency: number,
    private readonly fsync: boolean,
  ) {
    this.index = new ExperimentIndex(layout.indexFile);
  }

  /** experiment.md.json as last read (call {@link refresh} first). */
  get doc(): V1ExperimentDoc {
    return this.current().doc;
  }

  /** The datasets experiment.md.json lists, raw first. */
  get refs(): readonly DatasetRef[] {
    return this.current().refs;
  }

  /** The dataset named `name`; NOT_FOUND otherwise. */
  dataset(name: string): DatasetRef {
    const ref = this.refs.find((r) => r.name === name);
    if (ref === undefined) {
      throw new StorageError('NOT_FOUND', `no dataset '${name}' in experiment '${this.layout.root}'`, {
        details: { dataset: name, experiment: this.layout.uri },
      });
    }
    return ref;
  }

  /** The processed dataset named `name`; NOT_FOUND when absent, INVALID for the raw dataset. */
  processedDataset(name: string): DatasetRef {
    const ref = this.dataset(name);
    if (ref.kind !== 'processed') {
      throw new StorageError('INVALID', `'${name}' is the raw dataset of experiment '${this.layout.root}': runs and job outputs go into processed datasets`, {
        details: { dataset: name, experiment: this.layout.uri },
      });
    }
    return ref;
  }

  /** Syncs memory with disk; returns the datasets the index does not reflect (to {@link rebuild}). */
  async refresh(): Promise<DatasetRef[]> {
    const sig = await statSignature(this.layout.experimentFile);
    if (sig === undefined) {
      throw new StorageError('NOT_FOUND', `no experiment at '${this.layout.root}' (missing ${path.basename(this.layout.experimentFile)})`, {
        details: { experiment: this.layout.uri },
      });
    }
    if (this.experiment === undefined || !sameSignature(sig, this.experiment.sig)) {
      const { value, signature } = await readJsonFile(this.layout.experimentFile);
      const doc = parseExperimentDoc(value, this.layout.experimentFile);
      this.experiment = { doc, sig: signature, refs: this.layout.datasets(doc) };
    }
    await this.index.sync();
    const refs = this.current().refs;
    const sigs = await Promise.all(refs.map((ref) => statSignature(ref.file)));
    return refs.filter((ref, i) => {
      const indexed = this.index.datasets.get(ref.key);
      if (indexed === undefined) return true;
      const actual = sigs[i];
      return actual === undefined ? indexed.sig !== undefined || indexed.size > 0 : !sameSignature(actual, indexed.sig);
    });
  }

  /**
   * Re-reads the given datasets from their dataset and item files into memory. `persist` (the
   * caller holds the lock) also records them in the index log as well as it can (the log is a
   * cache); `rewrite` rewrites the log and rejects when it cannot; `memory` leaves the disk
   * alone (read-only folders).
   * A listed item whose file is missing is kept as a listing without data.
   */
  async rebuild(refs: readonly DatasetRef[], mode: 'memory' | 'persist' | 'rewrite'): Promise<void> {
    const records: IndexRecord[] = [];
    for (const ref of refs) {
      let doc: V1DatasetDoc = { uuid: ref.uuid, name: ref.name, urls: [] };
      let sig: FileSignature | undefined;
      try {
        const read = await readJsonFile(ref.file);
        doc = parseDatasetDoc(read.value, ref.file);
        sig = read.signature;
      } catch (error) {
        if (!(error instanceof StorageError && error.code === 'NOT_FOUND')) throw error;
      }
      const { urls, ...head } = doc;
      const folder = new FolderUris(path.dirname(ref.file));
      const docs = await mapConcurrent(urls, this.ioConcurrency, (entry) =>
        readItemFile(FolderUris.isPlainChild(entry.url) ? folder.path(entry.url) : this.layout.resolve(folder.dir, entry.url, ref.file)),
      );
      records.push({ op: 'dataset', key: ref.key, head });
      urls.forEach((entry, i) => records.push({ op: 'item', key: ref.key, entry, doc: docs[i] ?? null }));
      if (sig !== undefined) records.push({ op: 'sig', key: ref.key, sig });
    }
    const keys = this.refs.map((r) => r.key);
    if (mode === 'persist') {
      await this.index.commit(records, keys);
      return;
    }
    for (const record of records) this.index.apply(record);
    if (mode === 'rewrite') await this.index.rewrite(keys);
  }

  /**
   * Appends new item entries to dataset `ref` by rewriting its file atomically (the commit point
   * of a write; requires the lock, and the item files written) and returns the index records
   * that describe the change, for the caller to commit to the index.
   */
  async appendToDataset(ref: DatasetRef, added: readonly { readonly entry: V1DatasetEntry; readonly doc: V1ItemDoc }[]): Promise<IndexRecord[]> {
    const indexed = this.index.datasets.get(ref.key);
    const head = indexed?.head ?? { uuid: ref.uuid, name: ref.name };
    const listed = indexed === undefined ? [] : Array.from({ length: indexed.size }, (_, row) => indexed.datasetEntryAt(row));
    await this.writeV1(ref.file, { ...head, urls: [...listed, ...added.map((a) => a.entry)] });
    const records: IndexRecord[] = indexed === undefined ? [{ op: 'dataset', key: ref.key, head }] : [];
    for (const { entry, doc } of added) records.push({ op: 'item', key: ref.key, entry, doc });
    return records;
  }

  /** The uuid of a dataset as its own file states it (v1 runs refer to that one), else as listed. */
  datasetUuid(ref: DatasetRef): string {
    const uuid = this.index.datasets.get(ref.key)?.head['uuid'];
    return typeof uuid === 'string' && uuid !== '' ? uuid : ref.uuid;
  }

  /**
   * The names (lower case) of the files of folder `dir` that a listed dataset uses: its dataset
   * file, and the item files and data files of its items (call {@link refresh} first).
   */
  listedFileNames(dir: string): Set<string> {
    const names = new Set<string>();
    for (const ref of this.refs) {
      if (path.dirname(ref.file) !== dir) continue;
      names.add(path.basename(ref.file).toLowerCase());
      for (const indexed of this.index.datasets.get(ref.key)?.entries ?? []) {
        names.add(indexed.entry.url.toLowerCase());
        const dataUrl = entryDataUrl(indexed);
        if (dataUrl !== undefined) names.add(dataUrl.toLowerCase());
      }
    }
    return names;
  }

  /** Writes experiment.md.json atomically and keeps it as the current record (requires the lock). */
  async writeExperiment(doc: V1ExperimentDoc): Promise<void> {
    await this.writeV1(this.layout.experimentFile, doc);
    const sig = await statSignature(this.layout.experimentFile);
    if (sig !== undefined) this.experiment = { doc, sig, refs: this.layout.datasets(doc) };
  }

  /** Writes a v1 document atomically (temp file + flush + rename); IO errors name the file. */
  async writeV1(file: string, doc: unknown): Promise<void> {
    try {
      await writeFileAtomicStamped(file, stringifyV1(doc), { fsync: this.fsync });
    } catch (error) {
      throw storageFailure(error, 'write', file);
    }
  }

  /** Rewrites the index log when superseded records dominate it (requires the lock). */
  async compactIfNeeded(): Promise<void> {
    if (this.index.appendable && this.index.needsCompaction()) await this.index.rewrite(this.refs.map((r) => r.key)).catch(() => undefined);
  }

  /**
   * Deletes temporary files dead writers left in the experiment's folders (see sweepTempFiles:
   * unstamped ones once unchanged for `ageMs`); resolves with how many.
   */
  async sweep(ageMs: number): Promise<number> {
    const dirs = new Set([this.layout.root, this.layout.metaDir, this.layout.thumbnailsDir, ...this.refs.map((r) => path.dirname(r.file))]);
    let removed = 0;
    for (const dir of dirs) removed += await sweepTempFiles(dir, ageMs).catch(() => 0);
    return removed;
  }

  private current(): ExperimentRecord {
    if (this.experiment === undefined) throw new Error('experiment state read before refresh()');
    return this.experiment;
  }
}

/** Reads and parses an item file; null when it does not exist. CORRUPT / IO name the file. */
export async function readItemFile(file: string): Promise<V1ItemDoc | null> {
  try {
    const { value } = await readJsonFile(file);
    return parseItemDoc(value, file);
  } catch (error) {
    if (error instanceof StorageError && error.code === 'NOT_FOUND' && errnoCode(error.cause) === 'ENOENT') return null;
    throw error;
  }
}
