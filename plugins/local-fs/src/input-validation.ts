import path from 'node:path';
import { StorageError, type NewRawItem, type TagUpdate } from '@bioimageit/core';
import { assertValidName } from './path-safety.js';

function invalid(message: string, details: Record<string, unknown>): StorageError {
  return new StorageError('INVALID', message, { details });
}

/** Checks a tag key: a non-empty string without control characters. */
export function assertValidTagKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.trim().length === 0 || /[\u0000-\u001f\u007f]/.test(key)) {
    throw invalid(`invalid tag key ${JSON.stringify(key)}`, { key });
  }
}

function assertTags(tags: unknown, owner: string): void {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw invalid(`tags of ${owner} are not an object`, { owner });
  for (const [key, value] of Object.entries(tags)) {
    assertValidTagKey(key);
    if (typeof value !== 'string') throw invalid(`tag '${key}' of ${owner} is not a string`, { owner, key });
  }
}

/** Rejects a new raw item the backend cannot store, with StorageError INVALID naming it. */
export function assertValidNewRawItem(item: NewRawItem): void {
  assertValidName(item.name, 'item');
  const owner = `item '${item.name}'`;
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

/** Rejects a malformed tag update (not an unknown id: that is NOT_FOUND, checked under the lock). */
export function assertValidTagUpdate(update: TagUpdate): void {
  if (typeof update.itemId !== 'string' || update.itemId === '') throw invalid('a tag update has no item id', {});
  const owner = `item '${update.itemId}'`;
  if (update.set !== undefined) assertTags(update.set, owner);
  if (update.remove !== undefined) {
    if (!Array.isArray(update.remove)) throw invalid(`${owner}: 'remove' is not a list`, { itemId: update.itemId });
    update.remove.forEach(assertValidTagKey);
  }
}

/** Rejects a tag key list with a bad or repeated key. */
export function assertValidTagKeys(keys: readonly string[]): void {
  if (!Array.isArray(keys)) throw invalid('tag keys are not a list', {});
  keys.forEach(assertValidTagKey);
  if (new Set(keys).size !== keys.length) throw invalid(`tag keys repeat a key: ${keys.join(', ')}`, { keys });
}
