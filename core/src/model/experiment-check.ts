/**
 * What an integrity check of an experiment finds and what its repair does (ExperimentStore.check,
 * `bioimageit experiment check`, `POST /api/experiments/{id}/check`). Plain JSON.
 */

/**
 * Kinds of problems a check reports:
 * - `missing-data`: an item's data file (copied into the experiment or referenced in place) does not exist;
 * - `size-mismatch`: an item's data file is not the size its metadata records;
 * - `checksum-mismatch` (deep checks only): an item's data file does not hash to its recorded sha256;
 * - `orphan-file`: a file in a dataset folder that no metadata names (not a dataset, item or run
 *   file, not a data file of an item, not a run log);
 * - `missing-metadata`: a dataset or item file that the experiment or a dataset lists does not exist;
 * - `unreadable-metadata`: a dataset, item or run file that is not valid metadata;
 * - `index-drift`: the backend's index (a cache) disagrees with the metadata files, e.g. an item
 *   file edited behind its back: queries and listings show stale values until it is rebuilt;
 * - `duplicate-entry`: a dataset file lists the same item file more than once;
 * - `run-without-status`: a run file records no status (BioImageIT v1 wrote none);
 * - `missing-run`: a processed item names a run whose record does not exist.
 */
export type ExperimentProblemKind =
  | 'missing-data'
  | 'size-mismatch'
  | 'checksum-mismatch'
  | 'orphan-file'
  | 'missing-metadata'
  | 'unreadable-metadata'
  | 'index-drift'
  | 'duplicate-entry'
  | 'run-without-status'
  | 'missing-run';

/** One problem of an experiment. */
export interface ExperimentProblem {
  readonly kind: ExperimentProblemKind;
  /**
   * The file concerned: relative to the experiment folder (`data/a.tif`, forward slashes), or
   * absolute for a file outside it (data referenced in place).
   */
  readonly file: string;
  /** The dataset concerned, when one is. */
  readonly dataset?: string;
  /** The item concerned, when one is. */
  readonly item?: { readonly id: string; readonly name: string };
  /** The run concerned (its id), when one is. */
  readonly run?: string;
  /** What is wrong, one line (names no server path). */
  readonly message: string;
  /** Whether `repair` fixes it. Missing data, changed data and orphan files are never "repaired": no data is deleted or invented. */
  readonly repairable: boolean;
}

/** One thing a repair did. */
export interface ExperimentRepair {
  readonly kind: ExperimentProblemKind;
  /** The file it changed (as {@link ExperimentProblem.file}). */
  readonly file: string;
  /** What it did, one line. */
  readonly action: string;
}

/** Options of ExperimentStore.check. */
export interface ExperimentCheckOptions {
  /** Fix what is safe to fix (see {@link ExperimentProblem.repairable}), then check again. */
  readonly repair?: boolean;
  /** Also read every data file whose sha256 is recorded and compare (reads all the data). */
  readonly deep?: boolean;
}

/** The outcome of a check. */
export interface ExperimentCheckReport {
  /** Storage URI of the experiment. */
  readonly experiment: string;
  readonly deep: boolean;
  /** What was looked at. */
  readonly checked: {
    readonly datasets: number;
    /** Items listed by the datasets (present or not). */
    readonly items: number;
    readonly runs: number;
    /** Data files hashed (deep checks). */
    readonly hashed: number;
  };
  /** Every problem found (before any repair). */
  readonly problems: readonly ExperimentProblem[];
  /** What the repair did (empty without `repair`). */
  readonly repairs: readonly ExperimentRepair[];
  /**
   * What is still wrong: the problems of a fresh check after the repair (a deep check's checksum
   * mismatches carried over, not hashed again); without `repair`, {@link problems}. Empty: healthy.
   */
  readonly remaining: readonly ExperimentProblem[];
}
