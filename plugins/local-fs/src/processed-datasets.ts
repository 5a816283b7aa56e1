import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '@bioimageit/core';
import type { DatasetRef } from './experiment-layout.js';
import type { ExperimentState } from './experiment-state.js';
import { readJsonFile } from './json-file.js';
import { storageFailure } from './storage-failure.js';
import { parseDatasetDoc, type V1DatasetDoc } from './v1-documents.js';

async function readUnlisted(file: string): Promise<V1DatasetDoc | undefined> {
  try {
    return parseDatasetDoc((await readJsonFile(file)).value, file);
  } catch (error) {
    if (error instanceof StorageError && (error.code === 'NOT_FOUND' || error.code === 'CORRUPT')) return undefined;
    throw error;
  }
}

/**
 * Creates processed dataset `name` as v1 does (requires the lock; the caller checked it is not
 * listed): `<name>/processed_dataset.md.json` `{uuid, name, urls: []}` first, then its entry
 * `{name, url, uuid}` appended to experiment.md.json, the commit point. A dataset file left
 * unlisted by a writer that died in between is adopted (uuid and entries kept), so creating a
 * dataset twice never makes two. INVALID when the name differs from a listed dataset's only by
 * case, or its folder is another dataset's.
 */
export async function addProcessedDataset(state: ExperimentState, name: string): Promise<DatasetRef> {
  const { file, url } = state.layout.processedDatasetFile(name);
  const key = state.layout.relative(file);
  const clash = state.refs.find((r) => r.name.toLowerCase() === name.toLowerCase() || r.key.toLowerCase() === key.toLowerCase());
  if (clash !== undefined) {
    throw new StorageError('INVALID', `dataset name '${name}' clashes with dataset '${clash.name}' of experiment '${state.layout.root}'`, {
      details: { dataset: name, experiment: state.layout.uri },
    });
  }
  try {
    await mkdir(path.dirname(file), { recursive: true });
  } catch (error) {
    throw storageFailure(error, 'create the dataset folder', path.dirname(file));
  }
  let doc = await readUnlisted(file);
  if (doc === undefined) {
    doc = { uuid: randomUUID(), name, urls: [] };
    await state.writeV1(file, doc);
  }
  const experiment = state.doc;
  await state.writeExperiment({ ...experiment, processed_datasets: [...experiment.processed_datasets, { name, url, uuid: doc.uuid }] });
  return state.dataset(name);
}
