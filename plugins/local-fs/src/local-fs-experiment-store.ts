import { randomUUID } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError } from '@bioimageit/core';
import type {
  AddRawItemsOptions,
  DataItem,
  DatasetInfo,
  Experiment,
  ExperimentCheckOptions,
  ExperimentCheckReport,
  ExperimentStore,
  ItemPage,
  ItemSelection,
  NewProcessedItem,
  ParsedQuery,
  NewRawItem,
  RunRecord,
  TagUpdate,
} from '@bioimageit/core';
import type { IndexRecord } from './experiment-index.js';
import { RAW_DATASET_NAME, type DatasetRef, type ExperimentLayout } from './experiment-layout.js';
import { sweepTempFiles } from './atomic-write.js';
import { SweepReport } from './sweep-report.js';
import { CommitJournal } from './commit-journal.js';
import { acquireLock, lockState, type HeldLock } from './experiment-lock.js';
import { hashDataFiles, scanExperiment, type CheckScope } from './experiment-check.js';
import { repairExperiment } from './experiment-repair.js';
import { ExperimentState } from './experiment-state.js';
import { ExperimentView } from './experiment-view.js';
import { statSignature } from './file-signature.js';
import { FolderUris } from './file-uris.js';
import {
  assertValidDatasetName,
  assertValidNewProcessedItem,
  assertValidNewRawItem,
  assertValidRunRecord,
  assertValidTagKeys,
  assertValidTagUpdates,
  assertValidThumbnail,
} from './input-validation.js';
import { createStagingFolder, storeRunLog, sweepStaging } from './job-files.js';
import type { ResolvedLocalFsOptions } from './local-fs-options.js';
import { assertValidName, isInside } from './path-safety.js';
import { planProcessedCommit } from './processed-commit.js';
import { addProcessedDataset } from './processed-datasets.js';
import { ProcessedItemFiles } from './processed-item-files.js';
import { RunFiles, type ItemFileTest } from './run-files.js';
import { applyTagUpdates } from './tag-edits.js';
import { newRawItemDoc } from './v1-item-mapping.js';
import { writeRawItemFiles, type PlannedRawItem } from './raw-item-files.js';
import { SerialQueue } from './serial-queue.js';
import { GroupCommit } from './group-commit.js';
import { writeThumbnails, type ThumbnailRequest } from './thumbnail-files.js';
import { storageFailure } from './storage-failure.js';
import { UniqueFileNames } from './unique-file-names.js';
import { toV1Date } from './v1-date.js';

/** Staging folders without a stamp of this host (older versions, other hosts) are swept once unchanged this long. */
const UNSTAMPED_STAGING_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * An open experiment of the local file backend. Reads are served from memory, kept in sync
 * with the disk through the index (see ExperimentState). Every write runs as one transaction:
 * take the experiment's inter-process lock, catch up with what other writers did, write item
 * files, then the dataset file (the commit point), then the index; release the lock. Calls on
 * one store are serialized; several stores and processes are serialized by the lock.
 *
 * A writer killed mid-way (`kill -9`) leaves traces that the next open (or the next write) sweeps,
 * saying so in one line (LocalFsOptions.log): staging folders whose maker died (see
 * sweepStaging), temporary files of dead writers (see sweepTempFiles), and the files an
 * interrupted transaction had put into a dataset folder without committing them (see
 * CommitJournal). Committed files are never touched.
 */
export class LocalFsExperimentStore implements ExperimentStore {
  readonly uri: string;
  private readonly state: ExperimentState;
  private readonly view: ExperimentView;
  private readonly queue = new SerialQueue();
  private readonly runs = new RunFiles();
  private readonly thumbnails = new GroupCommit<ThumbnailRequest, string>(
    (fn) => this.write(fn),
    async (requests) => {
      const { outcomes, records } = await writeThumbnails(requests, this.state, this.view, {
        concurrency: this.options.ioConcurrency,
        fsync: this.options.fsync,
      });
      await this.persist(records);
      return outcomes;
    },
  );
  private closed = false;
  private readonly journal: CommitJournal;
  private readonly swept = new SweepReport();

  constructor(
    private readonly layout: ExperimentLayout,
    private readonly options: ResolvedLocalFsOptions,
  ) {
    this.uri = layout.uri;
    this.state = new ExperimentState(layout, options.ioConcurrency, options.fsync);
    this.view = new ExperimentView(layout);
    this.journal = new CommitJournal(layout.root, layout.journalFile);
  }

  /**
   * Loads the experiment (used by the backend before handing the store out), and sweeps what
   * killed writers left: abandoned staging folders and temporary files always; when a write was
   * cut off (its lock left by a dead holder, or its journal left), takes the lock to undo it.
   * Sweeping is best effort: a read-only experiment opens all the same.
   */
  async load(): Promise<this> {
    await this.read(() => undefined);
    await this.sweepAbandoned();
    return this;
  }

  info(): Promise<Experiment> {
    return this.read(() => {
      const { doc, refs } = this.state;
      return {
        id: doc.uuid,
        uri: this.uri,
        name: doc.information.name,
        author: doc.information.author,
        date: doc.information.date,
        keys: [...doc.keys],
        datasets: this.view.datasetInfos(refs, this.state.index.datasets),
      };
    });
  }

  listDatasets(): Promise<readonly DatasetInfo[]> {
    return this.read(() => this.view.datasetInfos(this.state.refs, this.state.index.datasets));
  }

  items(dataset: string = RAW_DATASET_NAME): Promise<readonly DataItem[]> {
    return this.read(() => this.view.items(this.state.dataset(dataset), this.state.refs, this.state.index.datasets));
  }

  selectItems(dataset: string, query: ParsedQuery, page?: ItemPage): Promise<ItemSelection> {
    return this.read(() => this.view.select(this.state.dataset(dataset), this.state.refs, this.state.index.datasets, query, page));
  }

  getItem(id: string): Promise<DataItem> {
    return this.read(() => {
      const item = this.view.find(id, this.state.refs, this.state.index.datasets);
      if (item === undefined)
        throw new StorageError('NOT_FOUND', `no item '${id}' in experiment '${this.layout.root}'`, { details: { itemId: id, experiment: this.uri } });
      return item;
    });
  }

  /**
   * See ExperimentStore.addRawItems. With `skipExisting`, which inputs are already stored (same
   * name and sha256) is decided after taking the lock, so concurrent importers add each file once.
   */
  async addRawItems(all: readonly NewRawItem[], options: AddRawItemsOptions = {}): Promise<readonly DataItem[]> {
    all.forEach(assertValidNewRawItem);
    all.forEach((input) => toV1Date(input.date, `item '${input.name}'`));
    if (all.length === 0) return [];
    return this.write(async () => {
      const ref = this.state.dataset(RAW_DATASET_NAME);
      const inputs = options.skipExisting === true ? this.leaveOutStored(ref, all, options.onSkipped) : all;
      if (inputs.length === 0) return [];
      const dates = inputs.map((input) => toV1Date(input.date, `item '${input.name}'`));
      const indexed = this.state.index.datasets.get(ref.key);
      const folder = new FolderUris(path.dirname(ref.file));
      const names = UniqueFileNames.forDataset(indexed, path.basename(ref.file));
      const planned: PlannedRawItem[] = inputs.map((input, i) => {
        const allocated = names.allocate(input.name);
        return { input, names: allocated, doc: newRawItemDoc(randomUUID(), input, allocated.name, dates[i] as string) };
      });
      const created = planned.flatMap(({ input, names: n }) =>
        input.mode === 'copy' && path.resolve(input.sourcePath) !== folder.path(n.name) ? [n.name, n.metadataFile] : [n.metadataFile],
      );
      return this.journaled(folder.dir, created, async () => {
        await writeRawItemFiles(planned, folder, {
          concurrency: this.options.ioConcurrency,
          fsync: this.options.fsync,
        });
        await this.addTagKeys(inputs.flatMap((input) => Object.keys(input.tags ?? {})));
        const added = planned.map(({ names: n, doc }) => ({ entry: { uuid: doc.uuid, url: n.metadataFile }, doc }));
        await this.persist(await this.state.appendToDataset(ref, added), ref.file, ref.key);
        return added.map(({ entry, doc }) => this.view.rawItem({ ref, entry, doc }));
      });
    });
  }

  async updateTags(updates: readonly TagUpdate[]): Promise<void> {
    assertValidTagUpdates(updates);
    if (updates.length === 0) return;
    await this.write(async () => {
      const edits = await applyTagUpdates(updates, this.view, this.state, this.options.ioConcurrency);
      await this.addTagKeys(updates.flatMap((u) => Object.keys(u.set ?? {})));
      await this.persist(edits.map((e) => ({ op: 'item', key: e.key, entry: e.entry, doc: e.doc })));
    });
  }

  async setTagKeys(keys: readonly string[]): Promise<void> {
    assertValidTagKeys(keys);
    await this.write(() => this.state.writeExperiment({ ...this.state.doc, keys: [...keys] }));
  }

  async ensureProcessedDataset(name: string): Promise<DatasetInfo> {
    assertValidDatasetName(name);
    const info = (): DatasetInfo | undefined => this.view.datasetInfos(this.state.refs, this.state.index.datasets).find((d) => d.name === name);
    const known = await this.read(info);
    if (known !== undefined) return known;
    return this.write(async () => {
      if (!this.state.refs.some((r) => r.name === name)) await this.state.rebuild([await addProcessedDataset(this.state, name)], 'persist');
      return info() as DatasetInfo;
    });
  }

  async saveRun(run: RunRecord): Promise<void> {
    assertValidRunRecord(run);
    await this.write(async () => {
      const ref = this.state.processedDataset(run.dataset);
      await this.runs.save(ref, run, this.state.datasetUuid(ref), this.itemFileTest(ref), (file, doc) => this.state.writeV1(file, doc));
    });
  }

  async saveRunLog(dataset: string, runId: string, name: string, sourcePath: string): Promise<string> {
    assertValidName(runId, 'run id');
    assertValidName(name, 'log file');
    if (typeof sourcePath !== 'string' || !path.isAbsolute(sourcePath)) {
      throw new StorageError('INVALID', `log source path ${JSON.stringify(sourcePath)} is not absolute`, { details: { dataset, runId, name } });
    }
    const ref = await this.read(() => this.state.processedDataset(dataset));
    // A log from a staging folder is copied through that folder: a copy cut off by kill -9 is swept with it.
    const tempDir = isInside(this.layout.stagingDir, sourcePath) ? path.dirname(sourcePath) : undefined;
    return storeRunLog(path.dirname(ref.file), runId, name, sourcePath, this.options.fsync, tempDir);
  }

  listRuns(dataset?: string): Promise<readonly RunRecord[]> {
    return this.read(async () => {
      if (dataset === RAW_DATASET_NAME) return [];
      const refs = dataset === undefined ? this.state.refs.filter((r) => r.kind === 'processed') : [this.state.processedDataset(dataset)];
      const records: RunRecord[] = [];
      for (const ref of refs) records.push(...(await this.runs.records(ref, this.itemFileTest(ref))));
      return dataset === undefined ? records.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)) : records;
    });
  }

  async commitProcessedItems(dataset: string, inputs: readonly NewProcessedItem[]): Promise<readonly DataItem[]> {
    inputs.forEach(assertValidNewProcessedItem);
    const dates = inputs.map((input) => toV1Date(input.date, `output '${input.name}'`));
    if (inputs.length === 0) {
      await this.read(() => this.state.processedDataset(dataset));
      return [];
    }
    return this.write(async () => {
      const ref = this.state.processedDataset(dataset);
      const planned = await planProcessedCommit(ref, inputs, dates, { state: this.state, view: this.view, runs: this.runs });
      const folder = new FolderUris(path.dirname(ref.file));
      const files = new ProcessedItemFiles(folder, {
        concurrency: this.options.ioConcurrency,
        fsync: this.options.fsync,
        mustCopy: (source) => isInside(this.layout.root, source) && !isInside(this.layout.stagingDir, source),
      });
      const created = planned.flatMap(({ input, names }) =>
        path.resolve(input.sourcePath) === folder.path(names.name) ? [names.metadataFile] : [names.name, names.metadataFile],
      );
      return this.journaled(folder.dir, created, async () => {
        await files.write(planned);
        const added = planned.map(({ names, doc }) => ({ entry: { uuid: doc.uuid, url: names.metadataFile }, doc }));
        let records: IndexRecord[];
        try {
          await this.addTagKeys(inputs.flatMap((input) => Object.keys(input.tags ?? {})));
          records = await this.state.appendToDataset(ref, added);
        } catch (error) {
          await files.undo();
          throw error;
        }
        await files.finish();
        await this.persist(records, ref.file, ref.key);
        return added.map(({ entry, doc }) => this.view.item({ ref, entry, doc }, this.state.refs, this.state.index.datasets));
      });
    });
  }

  /**
   * Stores the PNG at `.bioimageit/thumbnails/<item id>.png` and records it in the item file's
   * `bioimageit_ts.thumbnail` (see {@link writeThumbnails}); returns its `file:` URI. Calls made
   * while the store is busy are committed together: one lock and one index append per batch.
   */
  async saveThumbnail(itemId: string, png: Uint8Array): Promise<string> {
    assertValidThumbnail(itemId, png);
    this.assertOpen();
    return this.thumbnails.add({ itemId, png });
  }

  async createStagingDir(label: string): Promise<string> {
    this.assertOpen();
    return createStagingFolder(this.layout.stagingDir, label);
  }

  async localize(item: DataItem): Promise<string> {
    this.assertOpen();
    let file: string;
    try {
      file = fileURLToPath(item.dataUri);
    } catch (error) {
      throw new StorageError('INVALID', `item '${item.name}' has no local data URI ('${item.dataUri}')`, { cause: error, details: { itemId: item.id } });
    }
    try {
      await access(file, constants.R_OK);
    } catch (error) {
      throw storageFailure(error, `read the data of item '${item.name}' at`, file);
    }
    return file;
  }

  /**
   * See ExperimentStore.check. The metadata and folders are scanned inside one read (see
   * scanExperiment: no lock, nothing written); a deep check hashes the data files after it,
   * without holding up other calls. A repair runs as one write transaction (see
   * repairExperiment), and what remains comes from a fresh scan.
   */
  async check(options: ExperimentCheckOptions = {}): Promise<ExperimentCheckReport> {
    const deep = options.deep === true;
    const scope: CheckScope = { layout: this.layout, state: this.state, runs: this.runs, concurrency: this.options.ioConcurrency };
    const scan = await this.read(() => scanExperiment(scope, deep));
    const mismatches = await hashDataFiles(scan.hashJobs, Math.min(8, this.options.ioConcurrency));
    const problems = [...scan.problems, ...mismatches];
    const checked = { ...scan.checked, hashed: scan.hashJobs.length };
    if (options.repair !== true || !problems.some((p) => p.repairable))
      return { experiment: this.uri, deep, checked, problems, repairs: [], remaining: problems };
    const repairs = await this.write(() => repairExperiment(scope, problems, (file, doc) => this.state.writeV1(file, doc)));
    const after = await this.read(() => scanExperiment(scope, false));
    return { experiment: this.uri, deep, checked, problems, repairs, remaining: [...after.problems, ...mismatches] };
  }

  /**
   * Re-reads every dataset and item file and rewrites the index. Needed only after an item file
   * was edited outside this backend (e.g. by v1) without its dataset file changing.
   */
  reindex(): Promise<void> {
    return this.write(() => this.state.rebuild(this.state.refs, 'rewrite'));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.run(async () => {
      await this.state.index.flushSnapshot();
      this.state.index.close();
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('INVALID', `experiment store '${this.uri}' is closed`, { details: { experiment: this.uri } });
  }

  /** The inputs whose name and sha256 match no stored raw item; calls `onSkipped` with the others. */
  private leaveOutStored(ref: DatasetRef, inputs: readonly NewRawItem[], onSkipped?: (input: NewRawItem) => void): readonly NewRawItem[] {
    const key = (name: string, sha256: string | undefined) => `${name}\u0000${sha256 ?? ''}`;
    const stored = new Set(this.view.items(ref, this.state.refs, this.state.index.datasets).map((item) => key(item.name, item.sha256)));
    return inputs.filter((input) => {
      if (!stored.has(key(input.name, input.sha256))) return true;
      onSkipped?.(input);
      return false;
    });
  }

  /**
   * Runs `work`, which creates `files` in dataset folder `dir` before its commit point, under the
   * undo journal: should this process be killed meanwhile, the next lock holder deletes those of
   * them the dataset does not list. Requires the lock.
   */
  private async journaled<T>(dir: string, files: readonly string[], work: () => Promise<T>): Promise<T> {
    await this.journal.begin(dir, files).catch((error: unknown) => {
      throw storageFailure(error, 'write', this.layout.journalFile);
    });
    try {
      return await work();
    } finally {
      await this.journal.end();
    }
  }

  /** Undoes the write a killed writer left half done (see CommitJournal); requires the lock and fresh state. */
  private undoInterruptedWrite(): Promise<number> {
    const listed = new Map<string, Set<string>>();
    return this.journal.recover((dir, name) => {
      if (!listed.has(dir)) listed.set(dir, this.state.listedFileNames(dir));
      return listed.get(dir)?.has(name.toLowerCase()) === true;
    });
  }

  /** See {@link load}: sweeps staging folders and temporary files of dead processes, and undoes a cut-off write. */
  private async sweepAbandoned(): Promise<void> {
    try {
      this.swept.stagingFolders(await sweepStaging(this.layout.stagingDir, UNSTAMPED_STAGING_AGE_MS));
      for (const dir of [this.layout.root, this.layout.metaDir]) this.swept.tempFiles(await sweepTempFiles(dir, this.options.staleMs).catch(() => 0));
      // A live lock holder undoes a journal left behind itself, before its own write: no wait here.
      const lock = await lockState(this.layout.lockFile, this.options.staleMs);
      const journal = await access(this.layout.journalFile).then(
        () => true,
        () => false,
      );
      if (lock === 'stale' || (lock === 'free' && journal)) await this.write(async () => undefined);
    } catch (error) {
      if (!(error instanceof StorageError) || (error.code !== 'IO' && error.code !== 'LOCKED')) throw error;
    } finally {
      this.swept.flush(this.options.log, this.layout.root);
    }
  }

  private async addTagKeys(keys: readonly string[]): Promise<void> {
    const doc = this.state.doc;
    const known = new Set(doc.keys);
    const added = [...new Set(keys)].filter((k) => !known.has(k));
    if (added.length > 0) await this.state.writeExperiment({ ...doc, keys: [...doc.keys, ...added] });
  }

  /**
   * Records a committed write in the index; with `datasetFile`, also that file's new signature.
   * A failure to write the log does not fail the committed write: memory holds the records and
   * the next write rewrites the log.
   */
  private async persist(records: IndexRecord[], datasetFile?: string, key?: string): Promise<void> {
    if (datasetFile !== undefined && key !== undefined) {
      const sig = await statSignature(datasetFile).catch(() => undefined);
      if (sig !== undefined) records.push({ op: 'sig', key, sig });
    }
    await this.state.index.commit(
      records,
      this.state.refs.map((r) => r.key),
    );
  }

  /** Whether a file name of `ref`'s folder is listed as one of its items (and so is no run file). */
  private itemFileTest(ref: DatasetRef): ItemFileTest {
    const positions = this.state.index.datasets.get(ref.key)?.positions;
    return (name) => positions?.has(name) ?? false;
  }

  private lock(): Promise<HeldLock> {
    return acquireLock(this.layout.lockFile, this.options, `experiment '${this.layout.root}'`);
  }

  /** Runs `fn` on fresh state; takes the lock only when a dataset must be rebuilt. */
  private async read<T>(fn: () => T | Promise<T>): Promise<T> {
    this.assertOpen();
    return this.queue.run(async () => {
      const stale = await this.state.refresh();
      if (stale.length > 0) await this.rebuildStale(stale);
      return await fn();
    });
  }

  private async rebuildStale(stale: Parameters<ExperimentState['rebuild']>[0]): Promise<void> {
    let lock: HeldLock;
    try {
      lock = await this.lock();
    } catch (error) {
      if (!(error instanceof StorageError) || (error.code !== 'IO' && error.code !== 'LOCKED')) throw error;
      await this.state.rebuild(stale, 'memory');
      return;
    }
    try {
      const still = await this.state.refresh();
      if (still.length > 0) await this.state.rebuild(still, 'persist');
    } finally {
      await lock.release();
    }
  }

  /** One write transaction: lock, catch up, `fn`, compact the index when due, unlock. */
  private async write<T>(fn: () => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.queue.run(async () => {
      const lock = await this.lock();
      try {
        if (lock.brokeStale) this.swept.tempFiles(await this.state.refresh().then(() => this.state.sweep(this.options.staleMs)));
        const stale = await this.state.refresh();
        if (stale.length > 0) await this.state.rebuild(stale, 'persist');
        this.swept.uncommittedFiles(await this.undoInterruptedWrite());
        const result = await fn();
        await this.state.compactIfNeeded();
        return result;
      } finally {
        await lock.release();
        this.swept.flush(this.options.log, this.layout.root);
      }
    });
  }
}
