import path from 'node:path';
import { fileUri, resolveInside, toUnixRelative } from './path-safety.js';
import type { V1DatasetRef, V1ExperimentDoc } from './v1-documents.js';

/** File name of the experiment record, as v1 names it. */
export const EXPERIMENT_FILE = 'experiment.md.json';
/** Name of the raw dataset, fixed by v1. */
export const RAW_DATASET_NAME = 'data';
/** Folder (inside the experiment) holding this implementation's lock and index; v1 ignores it. */
export const META_DIR = '.bioimageit';
/** File name of a processed dataset, as v1 names it (inside the dataset's folder). */
export const PROCESSED_DATASET_FILE = 'processed_dataset.md.json';
/** Folder of a processed dataset holding the jobs' log files, one sub-folder per run. */
export const RUN_LOGS_DIR = 'logs';

/** A dataset of an experiment as experiment.md.json lists it, with its file resolved. */
export interface DatasetRef {
  readonly name: string;
  readonly uuid: string;
  readonly kind: 'raw' | 'processed';
  /** Absolute path of the dataset file. */
  readonly file: string;
  /** Path of the dataset file relative to the experiment folder (unix form): the index key. */
  readonly key: string;
}

/** Where everything of one experiment lives on disk. Pure path arithmetic, no I/O. */
export class ExperimentLayout {
  readonly experimentFile: string;
  readonly metaDir: string;
  readonly lockFile: string;
  readonly indexFile: string;
  /** The undo journal of the write transaction in progress (see CommitJournal). */
  readonly journalFile: string;
  /** Where jobs get their private staging folders (same file system, so commits are renames). */
  readonly stagingDir: string;
  /** Where item thumbnails live (`<item id>.png`); v1 ignores the hidden folder. */
  readonly thumbnailsDir: string;
  readonly uri: string;

  constructor(readonly root: string) {
    this.experimentFile = path.join(root, EXPERIMENT_FILE);
    this.metaDir = path.join(root, META_DIR);
    this.lockFile = path.join(this.metaDir, 'lock');
    this.indexFile = path.join(this.metaDir, 'index.jsonl');
    this.journalFile = path.join(this.metaDir, 'journal.json');
    this.stagingDir = path.join(this.metaDir, 'staging');
    this.thumbnailsDir = path.join(this.metaDir, 'thumbnails');
    this.uri = fileUri(root);
  }

  /**
   * The raw dataset first, then the processed ones, in experiment.md.json order. A dataset file
   * listed twice (v1 appends a duplicate entry when a dataset is re-created) counts once, as
   * its first entry.
   */
  datasets(doc: V1ExperimentDoc): DatasetRef[] {
    const refs = [this.datasetRef(doc.raw_dataset, 'raw')];
    const keys = new Set(refs.map((r) => r.key));
    for (const entry of doc.processed_datasets) {
      const ref = this.datasetRef(entry, 'processed');
      if (keys.has(ref.key)) continue;
      keys.add(ref.key);
      refs.push(ref);
    }
    return refs;
  }

  /** The dataset file of a new processed dataset `name`, and its url in experiment.md.json. */
  processedDatasetFile(name: string): { file: string; url: string } {
    return { file: path.join(this.root, name, PROCESSED_DATASET_FILE), url: `${name}/${PROCESSED_DATASET_FILE}` };
  }

  /** Resolves a url stored in a metadata file located in `baseDir`; PATH_ESCAPE when it leaves the experiment. */
  resolve(baseDir: string, url: string, file: string): string {
    return resolveInside(this.root, baseDir, url, file);
  }

  /** Unix-form path relative to the experiment folder. */
  relative(absolutePath: string): string {
    return toUnixRelative(this.root, absolutePath);
  }

  private datasetRef(ref: V1DatasetRef, kind: 'raw' | 'processed'): DatasetRef {
    const file = this.resolve(this.root, ref.url, this.experimentFile);
    return { name: kind === 'raw' ? RAW_DATASET_NAME : ref.name, uuid: ref.uuid, kind, file, key: this.relative(file) };
  }
}
