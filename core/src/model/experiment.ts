import type { Tags } from './data-item.js';

/** A dataset of an experiment: the raw dataset (`data`) or one processed dataset per tool run. */
export interface DatasetInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: 'raw' | 'processed';
  readonly uri: string;
  readonly itemCount: number;
}

/** An experiment (v1 "Experiment"): one raw dataset, processed datasets, and its tag keys. */
export interface Experiment {
  readonly id: string;
  /** Storage URI of the experiment (e.g. `file:///w/exp100`). */
  readonly uri: string;
  readonly name: string;
  readonly author: string;
  /** Creation date, `YYYY-MM-DD`. */
  readonly date: string;
  /** Tag keys of the experiment, in order. */
  readonly keys: readonly string[];
  readonly datasets: readonly DatasetInfo[];
}

/** What a listing of experiments shows without opening every item. */
export interface ExperimentSummary {
  readonly id: string;
  readonly uri: string;
  readonly name: string;
  readonly author: string;
  readonly date: string;
  readonly keys: readonly string[];
}

/** Arguments of StorageBackend.createExperiment. */
export interface ExperimentInit {
  readonly name: string;
  readonly author: string;
  /** `YYYY-MM-DD`; today when omitted. */
  readonly date?: string;
  readonly keys?: readonly string[];
}

/** A new raw item handed to ExperimentStore.addRawItems by the import service. */
export interface NewRawItem {
  /** Absolute local path of the source file. */
  readonly sourcePath: string;
  /** File name to give the item (v1 uses the source file name). */
  readonly name: string;
  /** `copy` puts the file inside the experiment; `reference` records its path in place. */
  readonly mode: 'copy' | 'reference';
  readonly format: string;
  readonly size: number;
  readonly sha256: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly tags: Tags;
  readonly author: string;
  readonly date: string;
}

/** One tag edit: set some keys and/or remove some keys of one item. */
export interface TagUpdate {
  readonly itemId: string;
  readonly set?: Tags;
  readonly remove?: readonly string[];
}
