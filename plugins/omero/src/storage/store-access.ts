import type { DataItem, RunRecord } from '@bioimageit/core';
import type { DownloadCache } from './download-cache.js';
import type { ExperimentLayout } from './experiment-layout.js';
import type { OmeroImporter } from './omero-importer.js';
import type { OmeroRepository } from './omero-repository.js';
import type { StoredOutput } from './processed-items.js';

/** Finds the importer on first use (`omero import` is optional). */
export type ImporterSource = () => Promise<OmeroImporter | undefined>;

/** What an open OMERO experiment works with (given by the backend). */
export interface OmeroStoreContext {
  readonly repo: OmeroRepository;
  /** `host[:port]` of the OMERO.web server, as in the experiment URI. */
  readonly server: string;
  readonly projectId: number;
  readonly cache: DownloadCache;
  /** Local folder for job staging folders. */
  readonly stagingRoot: string;
  readonly importer: ImporterSource;
}

/**
 * What the store's helpers (import-raw-items, commit-outputs, apply-tag-updates, save-thumbnail)
 * use of an open experiment. OmeroExperimentStore hands them this view of itself rather than
 * itself, so that they need not import the store (an import cycle) and the store need not make
 * public what only they use; each helper takes the `Pick` of it that it needs.
 */
export interface ExperimentAccess {
  /** The experiment's URI, for messages. */
  readonly uri: string;
  readonly ctx: OmeroStoreContext;
  /** The experiment's layout (cached); `fresh` re-reads it from OMERO. */
  layout(fresh?: boolean): Promise<ExperimentLayout>;
  /** An item by id, NOT_FOUND when it is not one of the experiment's. */
  getItem(id: string): Promise<DataItem>;
  /**
   * Checks that every id names an item of the experiment without fetching the items; NOT_FOUND
   * names the first unknown id. Resolves with the output records (for processed ids) by item id.
   */
  checkItemIds(ids: readonly string[]): Promise<Map<string, StoredOutput>>;
  /** The stored outputs of every processed dataset. */
  outputs(): Promise<StoredOutput[]>;
  /** The run record saved through this store (for readable provenance), if any. */
  knownRun(id: string): RunRecord | undefined;
  /** Runs `fn` after every earlier call with the same key (per-item record edits). */
  serialized<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
