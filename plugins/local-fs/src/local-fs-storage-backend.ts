import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { inject, injectable, optional } from 'inversify';
import { StorageError } from '@bioimageit/core';
import type { ExperimentInit, ExperimentSummary, StorageBackend } from '@bioimageit/core';
import { EXPERIMENT_FILE, ExperimentLayout, RAW_DATASET_NAME } from './experiment-layout.js';
import { acquireLock } from './experiment-lock.js';
import { assertValidTagKeys } from './input-validation.js';
import { readJsonFile } from './json-file.js';
import { LocalFsExperimentStore } from './local-fs-experiment-store.js';
import { LocalFsOptions, resolveLocalFsOptions, type ResolvedLocalFsOptions } from './local-fs-options.js';
import { assertValidName, toLocalPath } from './path-safety.js';
import { errnoCode, storageFailure } from './storage-failure.js';
import { toV1Date } from './v1-date.js';
import { parseExperimentDoc, stringifyV1, type V1ExperimentDoc } from './v1-documents.js';
import { writeFileAtomicStamped } from './atomic-write.js';

const RAW_DATASET_FILE = 'raw_dataset.md.json';

/**
 * The default storage backend (scheme `file`): experiments are folders in the BioImageIT v1
 * layout, so that v1 and this implementation open each other's experiments. Locations and
 * experiments are given as `file:` URIs or plain paths. See the package README for the layout,
 * the index and the lock.
 */
@injectable()
export class LocalFsStorageBackend implements StorageBackend {
  readonly scheme = 'file';
  private readonly options: ResolvedLocalFsOptions;

  constructor(@inject(LocalFsOptions) @optional() options?: LocalFsOptions) {
    this.options = resolveLocalFsOptions(options);
  }

  /** Experiments directly under `location` (folders holding experiment.md.json); NOT_FOUND when it does not exist. */
  async listExperiments(location: string): Promise<readonly ExperimentSummary[]> {
    const root = toLocalPath(location);
    let names: string[];
    try {
      names = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (error) {
      throw storageFailure(error, 'list the workspace', root);
    }
    const summaries: ExperimentSummary[] = [];
    for (const name of names.sort()) {
      const layout = new ExperimentLayout(path.join(root, name));
      const doc = await readExperiment(layout).catch((error: unknown) => {
        if (error instanceof StorageError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      });
      if (doc !== undefined) summaries.push(summary(layout, doc));
    }
    return summaries;
  }

  /**
   * Creates `<location>/<name without spaces>/` with experiment.md.json and an empty raw
   * dataset. INVALID for a bad name, key or date; EXISTS when the folder is taken.
   */
  async createExperiment(location: string, init: ExperimentInit): Promise<LocalFsExperimentStore> {
    assertValidName(init.name, 'experiment');
    const folder = init.name.replaceAll(' ', '');
    assertValidName(folder, 'experiment folder');
    const keys = [...(init.keys ?? [])];
    assertValidTagKeys(keys);
    const date = toV1Date(init.date, `experiment '${init.name}'`);
    const root = toLocalPath(location);
    const layout = new ExperimentLayout(path.join(root, folder));
    try {
      await mkdir(root, { recursive: true });
    } catch (error) {
      throw storageFailure(error, 'create the workspace folder', root);
    }
    try {
      await mkdir(layout.root);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') {
        throw new StorageError('EXISTS', `an experiment folder '${layout.root}' already exists`, { cause: error, details: { experiment: layout.uri } });
      }
      throw storageFailure(error, 'create the experiment folder', layout.root);
    }
    const rawUuid = randomUUID();
    const doc = {
      uuid: randomUUID(),
      information: { name: init.name, author: init.author, date },
      raw_dataset: { name: RAW_DATASET_NAME, url: `${RAW_DATASET_NAME}/${RAW_DATASET_FILE}`, uuid: rawUuid },
      processed_datasets: [],
      keys,
    };
    const rawFile = path.join(layout.root, RAW_DATASET_NAME, RAW_DATASET_FILE);
    try {
      await mkdir(path.dirname(rawFile));
      await writeFileAtomicStamped(rawFile, stringifyV1({ uuid: rawUuid, name: RAW_DATASET_NAME, urls: [] }), { fsync: this.options.fsync });
      await writeFileAtomicStamped(layout.experimentFile, stringifyV1(doc), { fsync: this.options.fsync });
    } catch (error) {
      throw storageFailure(error, 'write the new experiment', layout.root);
    }
    return new LocalFsExperimentStore(layout, this.options).load();
  }

  /** Opens an experiment folder (or its experiment.md.json); NOT_FOUND or CORRUPT otherwise. */
  async openExperiment(uri: string): Promise<LocalFsExperimentStore> {
    return new LocalFsExperimentStore(layoutOf(uri), this.options).load();
  }

  /**
   * Deletes an experiment folder, after taking its lock so that no writer is cut off. Refuses
   * (NOT_FOUND) a folder without experiment.md.json. Files referenced in place live outside the
   * folder and are never touched; symbolic links inside it are removed, not followed.
   */
  async deleteExperiment(uri: string): Promise<void> {
    const layout = layoutOf(uri);
    await readExperiment(layout);
    const lock = await acquireLock(layout.lockFile, this.options, `experiment '${layout.root}'`);
    try {
      await readExperiment(layout);
      await rm(layout.root, { recursive: true, force: true });
    } catch (error) {
      throw storageFailure(error, 'delete the experiment', layout.root);
    } finally {
      await lock.release();
    }
  }

  /** Rebuilds the index of one experiment from its files (see LocalFsExperimentStore.reindex). */
  async reindex(uri: string): Promise<void> {
    const store = await this.openExperiment(uri);
    try {
      await store.reindex();
    } finally {
      await store.close();
    }
  }
}

function layoutOf(uri: string): ExperimentLayout {
  const local = toLocalPath(uri);
  return new ExperimentLayout(path.basename(local) === EXPERIMENT_FILE ? path.dirname(local) : local);
}

async function readExperiment(layout: ExperimentLayout): Promise<V1ExperimentDoc> {
  const info = await stat(layout.root).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new StorageError('NOT_FOUND', `no experiment folder at '${layout.root}'`, { details: { experiment: layout.uri } });
  }
  try {
    const { value } = await readJsonFile(layout.experimentFile);
    return parseExperimentDoc(value, layout.experimentFile);
  } catch (error) {
    if (error instanceof StorageError && error.code === 'NOT_FOUND') {
      throw new StorageError('NOT_FOUND', `'${layout.root}' is not an experiment (no ${EXPERIMENT_FILE})`, {
        cause: error,
        details: { experiment: layout.uri },
      });
    }
    throw error;
  }
}

function summary(layout: ExperimentLayout, doc: V1ExperimentDoc): ExperimentSummary {
  return { id: doc.uuid, uri: layout.uri, name: doc.information.name, author: doc.information.author, date: doc.information.date, keys: [...doc.keys] };
}
