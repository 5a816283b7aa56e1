import path from 'node:path';
import {
  StorageError,
  validateTagKey,
  validateTags,
  validateTagUpdates,
  type NewProcessedItem,
  type NewRawItem,
  type RunRecord,
  type TagUpdate,
} from '@bioimageit/core';
import { RAW_DATASET_NAME } from './experiment-layout.js';
import { assertValidName } from './path-safety.js';

function invalid(message: string, details: Record<string, unknown>): StorageError {
  return new StorageError('INVALID', message, { details });
}

/** Checks a tag key (core's validateTagKey: non-empty, printable, not `__proto__`/`constructor`/`prototype`). */
export function assertValidTagKey(key: unknown): asserts key is string {
  validateTagKey(key);
}

function assertTags(tags: unknown, owner: string): void {
  validateTags(tags, owner);
}

/** Longest item name: `<stem>_<n>.md.json` must stay within the 255-byte limit of file names. */
const MAX_ITEM_NAME_BYTES = 235;

/** Rejects a new raw item the backend cannot store, with StorageError INVALID naming it. */
export function assertValidNewRawItem(item: NewRawItem): void {
  assertValidName(item.name, 'item');
  const owner = `item '${item.name}'`;
  if (Buffer.byteLength(item.name) > MAX_ITEM_NAME_BYTES) {
    throw invalid(`${owner}: the name is longer than ${MAX_ITEM_NAME_BYTES} bytes (its metadata file and a '_<n>' suffix must fit 255)`, { name: item.name });
  }
  if (item.mode !== 'copy' && item.mode !== 'reference') throw invalid(`${owner}: mode must be 'copy' or 'reference'`, { name: item.name });
  if (typeof item.sourcePath !== 'string' || !path.isAbsolute(item.sourcePath)) {
    throw invalid(`${owner}: source path ${JSON.stringify(item.sourcePath)} is not absolute`, { name: item.name });
  }
  if (typeof item.format !== 'string') throw invalid(`${owner}: format is not a string`, { name: item.name });
  if (item.metadata !== undefined && (typeof item.metadata !== 'object' || item.metadata === null)) {
    throw invalid(`${owner}: metadata is not an object`, { name: item.name });
  }
  assertTags(item.tags ?? {}, owner);
}

/** Rejects malformed tag updates, all before any write (not an unknown id: that is NOT_FOUND, checked under the lock). */
export function assertValidTagUpdates(updates: readonly TagUpdate[]): void {
  validateTagUpdates(updates);
}

/** Rejects a tag key list with a bad or repeated key. */
export function assertValidTagKeys(keys: readonly string[]): void {
  if (!Array.isArray(keys)) throw invalid('tag keys are not a list', {});
  keys.forEach(assertValidTagKey);
  if (new Set(keys).size !== keys.length) throw invalid(`tag keys repeat a key: ${keys.join(', ')}`, { keys });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string';
const isId = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Checks the name of a processed dataset: a valid folder name, neither `data` nor hidden (`.bioimageit`). */
export function assertValidDatasetName(name: string): void {
  assertValidName(name, 'dataset');
  if (name.toLowerCase() === RAW_DATASET_NAME || name.startsWith('.')) {
    throw invalid(`invalid processed dataset name ${JSON.stringify(name)}: '${RAW_DATASET_NAME}' and hidden names are reserved`, { dataset: name });
  }
}

/** Rejects a job output the backend cannot store, with StorageError INVALID naming it. */
export function assertValidNewProcessedItem(item: NewProcessedItem): void {
  assertValidName(item.name, 'output');
  const owner = `output '${item.name}'`;
  const fail = (why: string): never => {
    throw invalid(`${owner}: ${why}`, { name: item.name });
  };
  if (!isText(item.sourcePath) || !path.isAbsolute(item.sourcePath)) fail(`source path ${JSON.stringify(item.sourcePath)} is not absolute`);
  if (!isText(item.format)) fail('format is not a string');
  if (item.metadata !== undefined && !isObject(item.metadata)) fail('metadata is not an object');
  assertTags(item.tags ?? {}, owner);
  const origin: unknown = item.origin;
  if (!isObject(origin) || !isId(origin['runId'])) return fail('origin has no run id');
  const inputs = origin['inputs'];
  if (!Array.isArray(inputs) || inputs.some((i) => !isObject(i) || !isText(i['name']) || !isId(i['id']))) fail("origin 'inputs' is not a list of {name, id}");
  const output = origin['output'];
  if (!isObject(output) || !isText(output['name']) || !isText(output['label'])) fail("origin 'output' is not {name, label}");
  const job = origin['job'];
  if (!isObject(job) || !isId(job['id']) || !isText(job['cacheKey'])) fail("origin 'job' is not {id, cacheKey}");
}

/** Rejects a run record that cannot be stored (no id, dataset or tool; lists that are not lists). */
export function assertValidRunRecord(run: RunRecord): void {
  const record: unknown = run;
  if (!isObject(record) || !isId(record['id'])) throw invalid('a run record has no id', {});
  const fail = (why: string): never => {
    throw invalid(`run '${run.id}': ${why}`, { runId: run.id });
  };
  if (!isText(record['dataset'])) fail('dataset is not a string');
  const tool = record['tool'];
  if (!isObject(tool) || !isText(tool['id']) || !isText(tool['version']) || !isText(tool['source'])) fail('tool is not {id, name, version, digest, source}');
  for (const key of ['parameters', 'inputs', 'jobs']) if (!Array.isArray(record[key])) fail(`'${key}' is not a list`);
  if (!isText(record['status'])) fail('status is not a string');
}

/** Checks a thumbnail request: an item id string and non-empty PNG bytes (PNG signature). */
export function assertValidThumbnail(itemId: unknown, png: unknown): void {
  if (typeof itemId !== 'string' || itemId === '') throw invalid(`thumbnail: item id ${JSON.stringify(itemId)} is not a non-empty string`, { itemId });
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!(png instanceof Uint8Array) || png.length < signature.length || signature.some((b, i) => png[i] !== b)) {
    throw invalid(`thumbnail of item '${itemId}' is not PNG data`, { itemId });
  }
}
