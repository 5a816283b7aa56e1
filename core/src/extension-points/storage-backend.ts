import type { DataItem } from '../model/data-item.js';
import type { DatasetInfo, Experiment, ExperimentInit, ExperimentSummary, NewRawItem, TagUpdate } from '../model/experiment.js';
import type { ExperimentCheckOptions, ExperimentCheckReport } from '../model/experiment-check.js';
import type { NewProcessedItem, RunRecord } from '../model/run.js';
import type { ParsedQuery } from '../query/parse-query.js';
import type { Disposable } from '../util/disposable.js';

/**
 * Storage extension point, keyed by URI scheme (`file`, `omero`). A backend stores experiments,
 * their datasets and items, and their tags. Every backend runs the contract suite exported by
 * `@bioimageit/core/testing` (`describeStorageBackendContract`).
 *
 * Errors: every method rejects with a {@link StorageError} (`NOT_FOUND`, `EXISTS`, `CORRUPT`,
 * `IO`, `LOCKED`, `UNSUPPORTED`, `PATH_ESCAPE`, `INVALID`) naming the experiment, item or file.
 * Nothing already stored may be lost or half-written when a method fails.
 */
export const StorageBackend = Symbol.for('@bioimageit/core/StorageBackend');
export interface StorageBackend {
  /** URI scheme this backend answers (`file`). */
  readonly scheme: string;
  /** Experiments found directly under a workspace location (a folder URI or path). */
  listExperiments(location: string): Promise<readonly ExperimentSummary[]>;
  /** Creates an empty experiment named `init.name` under `location`; EXISTS when taken. */
  createExperiment(location: string, init: ExperimentInit): Promise<ExperimentStore>;
  /** Opens an existing experiment by URI or path; NOT_FOUND / CORRUPT otherwise. */
  openExperiment(uri: string): Promise<ExperimentStore>;
  /** Deletes an experiment and the files it owns (never referenced-in-place source files). */
  deleteExperiment(uri: string): Promise<void>;
}

/** Options of ExperimentStore.addRawItems. */
export interface AddRawItemsOptions {
  /**
   * Leave out each input whose name and sha256 match an item already in the raw dataset,
   * deciding under the same lock as the commit, so that concurrent importers resuming the same
   * folder add each file once. A backend that ignores this option adds every input.
   */
  readonly skipExisting?: boolean;
  /** Called with each input left out by `skipExisting`, before the call resolves. */
  readonly onSkipped?: (input: NewRawItem) => void;
}

/** Which hits of a selection to return: `offset` hits skipped, then at most `limit` (0: count only). */
export interface ItemPage {
  readonly offset?: number;
  readonly limit?: number;
}

/** A page of the items a selection matched, with the number of all matches. */
export interface ItemSelection {
  readonly total: number;
  readonly items: readonly DataItem[];
}

/**
 * An open experiment. Reads may be served from an index; writes are atomic and serialized
 * across processes, so that two importers into one experiment lose nothing.
 */
export interface ExperimentStore {
  readonly uri: string;
  /** Experiment record with its datasets and tag keys, as stored now. */
  info(): Promise<Experiment>;
  listDatasets(): Promise<readonly DatasetInfo[]>;
  /** Items of one dataset (default `data`, the raw dataset), in stored order. */
  items(dataset?: string): Promise<readonly DataItem[]>;
  /**
   * Optional: the items of `dataset` that `query` selects (its `matches`), in stored order, one
   * page of them, and how many matched in all. A store with an index implements it to answer
   * without building every item (a count reads no item); the kernel filters `items()` for a store
   * without it. NOT_FOUND for an unknown dataset, as `items`.
   */
  selectItems?(dataset: string, query: ParsedQuery, page?: ItemPage): Promise<ItemSelection>;
  /** One item by id; NOT_FOUND otherwise. */
  getItem(id: string): Promise<DataItem>;
  /**
   * Adds raw items in one atomic step per call: data files are copied (or referenced), item
   * metadata written, then the dataset and the index updated. Names already present in the
   * raw dataset are made unique by the backend and returned items carry the final names.
   * Tag keys absent from the experiment are added to it. Returned items follow the order of
   * the inputs; with `options.skipExisting`, inputs left out are missing from them.
   */
  addRawItems(items: readonly NewRawItem[], options?: AddRawItemsOptions): Promise<readonly DataItem[]>;
  /** Applies tag edits atomically (all or none); unknown item ids reject with NOT_FOUND. */
  updateTags(updates: readonly TagUpdate[]): Promise<void>;
  /** Replaces the experiment's tag keys (values on items are kept). */
  setTagKeys(keys: readonly string[]): Promise<void>;
  /**
   * Creates the processed dataset `name` (v1: a folder with processed_dataset.md.json, listed in
   * the experiment) or returns it when it exists. INVALID for `data` or a bad name.
   */
  ensureProcessedDataset(name: string): Promise<DatasetInfo>;
  /**
   * Writes a run record into its processed dataset, creating or replacing the record with the same
   * id atomically (v1 layout: run.md.json, then run_1.md.json... with extras under a new key).
   * NOT_FOUND when the dataset does not exist.
   */
  saveRun(run: RunRecord): Promise<void>;
  /**
   * Keeps a job's log file with its run (copied from `sourcePath`), returning where it is stored
   * relative to the processed dataset folder (`logs/<run>/<name>`), as recorded in JobRecord.
   */
  saveRunLog(dataset: string, runId: string, name: string, sourcePath: string): Promise<string>;
  /** Run records of one processed dataset, or of all of them, oldest first. */
  listRuns(dataset?: string): Promise<readonly RunRecord[]>;
  /**
   * Commits the outputs of one job atomically: files are moved (or copied) from their staging
   * paths into the dataset, item metadata with its origin written, then the dataset file; all
   * items or none. Names already present are made unique. NOT_FOUND for an unknown dataset or an
   * origin input id that does not exist. Save the run (saveRun) first: items link to its record.
   * Returned items carry their final names (a v1-layout backend names an item by the output's
   * stem, `o_population1_001`, as v1 does).
   */
  commitProcessedItems(dataset: string, items: readonly NewProcessedItem[]): Promise<readonly DataItem[]>;
  /**
   * A fresh private local folder for one job to work in (inputs localized, outputs written), on the
   * same file system as the experiment when possible so commits are renames. The caller removes it.
   */
  createStagingDir(label: string): Promise<string>;
  /**
   * Stores `png` as the thumbnail of item `itemId` (raw or processed) and records it, so that the
   * item's `DataItem.thumbnail` carries the returned URI from then on (`getItem`, `items`, after a
   * reopen too). Atomic: the item records the new thumbnail only once its image is complete, and
   * never a half-written one. Saving again replaces the image. Called by thumbnail makers (the
   * `@bioimageit/thumbnails` plugin) after imports and job commits; several calls may run at once.
   * NOT_FOUND for an unknown id, INVALID when `png` is not PNG data.
   */
  saveThumbnail(itemId: string, png: Uint8Array): Promise<string>;
  /** A local file path where the item's data can be read (downloads when remote). */
  localize(item: DataItem): Promise<string>;
  /**
   * Optional: checks the experiment's integrity as this backend stores it (data files missing or
   * changed, files no metadata names, its index disagreeing with the metadata, duplicate dataset
   * entries, runs without status, processed items whose run is gone) and, with `repair`, fixes
   * what is safe: caches rebuilt, duplicate entries dropped, runs without status marked `unknown`.
   * A repair never deletes nor rewrites data files. Resolves with the report (problems are no
   * rejection); rejects only when the experiment cannot be read at all. The kernel answers
   * UNSUPPORTED for a store without it.
   */
  check?(options?: ExperimentCheckOptions): Promise<ExperimentCheckReport>;
  /** Releases caches and handles. */
  close(): Promise<void>;
}

/** Contributed by a plugin module: registers its backends into the registry it receives. */
export const StorageContribution = Symbol.for('@bioimageit/core/StorageContribution');
export interface StorageContribution {
  registerStorage(registry: StorageRegistrar): void;
}

/** The register side of the storage registry, handed to contributions. */
export interface StorageRegistrar {
  /** Throws PluginError DUPLICATE_CONTRIBUTION when `backend.scheme` is taken. */
  register(backend: StorageBackend): Disposable;
}
