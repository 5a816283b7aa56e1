import { StorageError } from '../errors/area-errors.js';
import type { TagUpdate } from '../model/experiment.js';
import { hasControlCharacter } from '../util/control-characters.js';

/** Keys that name JavaScript object machinery: stored as tags they would be dropped or pollute prototypes. */
const RESERVED_TAG_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether a tag value holds a control character other than tab, line feed and carriage return. */
function hasValueControlCharacter(value: string): boolean {
  return hasControlCharacter(value.replace(/[\t\n\r]/g, ''), { del: true });
}

/**
 * Checks one tag key: a non-empty string, not only spaces, without control characters (DEL
 * included), and not `__proto__`, `constructor` or `prototype`. Throws StorageError INVALID
 * naming the key. Used by the tag service, the storage backends and the server before any write.
 */
export function validateTagKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.trim() === '' || hasControlCharacter(key, { del: true })) {
    throw new StorageError('INVALID', `invalid tag key ${JSON.stringify(key)}: keys must be non-empty printable text`, { details: { key } });
  }
  if (RESERVED_TAG_KEYS.has(key)) {
    throw new StorageError('INVALID', `invalid tag key ${JSON.stringify(key)}: '__proto__', 'constructor' and 'prototype' are reserved`, {
      details: { key },
    });
  }
}

/**
 * Checks a tags object: a plain object whose own keys pass {@link validateTagKey} and whose
 * values are strings without control characters (tab and line breaks allowed). Throws
 * StorageError INVALID naming `owner` and the key.
 */
export function validateTags(tags: unknown, owner: string): void {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new StorageError('INVALID', `tags of ${owner} are not an object`, { details: { owner } });
  }
  for (const key of Reflect.ownKeys(tags)) {
    validateTagKey(key);
    const value: unknown = (tags as Record<string, unknown>)[key];
    if (typeof value !== 'string' || hasValueControlCharacter(value)) {
      throw new StorageError('INVALID', `tag '${key}' of ${owner} is not a string of printable text`, { details: { owner, key } });
    }
  }
}

/**
 * Checks whole tag edits before anything is written: every update names an item, every key set
 * or removed and every value is valid. A rejected edit must change nothing, not even the
 * experiment's tag keys, so callers run this before `setTagKeys`/`updateTags`.
 */
export function validateTagUpdates(updates: readonly TagUpdate[]): void {
  if (!Array.isArray(updates)) throw new StorageError('INVALID', 'tag updates are not a list');
  for (const update of updates) {
    if (typeof update !== 'object' || update === null || typeof update.itemId !== 'string' || update.itemId === '') {
      throw new StorageError('INVALID', 'a tag update has no item id');
    }
    const owner = `item '${update.itemId}'`;
    if (update.set !== undefined) validateTags(update.set, owner);
    if (update.remove !== undefined) {
      if (!Array.isArray(update.remove)) throw new StorageError('INVALID', `${owner}: 'remove' is not a list`, { details: { itemId: update.itemId } });
      update.remove.forEach(validateTagKey);
    }
  }
}
