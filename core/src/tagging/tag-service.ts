import { StorageError } from '../errors/area-errors.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import { formatCsv, parseCsv } from '../formats/index.js';
import type { DataItem, Tags } from '../model/data-item.js';
import type { TagUpdate } from '../model/experiment.js';
import { filterItems } from '../query/index.js';
import { compileTagRule, requireKey, type TagRule } from './tag-rules.js';
import { validateTagKey, validateTagUpdates } from './tag-validation.js';

/** Which items a tag operation touches: a dataset (default `data`) and an optional query. */
export interface TagTarget {
  readonly dataset?: string;
  readonly where?: string;
}

export interface TagResult {
  /** Items whose tags changed. */
  readonly changed: number;
  /** Items the rule matched but left unchanged (no match or same values). */
  readonly unchanged: number;
}

/**
 * Tag operations on an experiment, each applied atomically through ExperimentStore.updateTags
 * (all items or none) after adding any new key to the experiment's tag keys.
 */
export class TagService {
  /** Derives tags from item names with a rule (regex, separator, word list, folder, set). */
  async applyRule(store: ExperimentStore, rule: TagRule, target: TagTarget = {}): Promise<TagResult> {
    const compiled = compileTagRule(rule);
    const items = await this.select(store, target);
    return this.commit(store, items, (item) => compiled({ name: item.name, relativePath: item.name }));
  }

  /** Removes keys from the selected items (and, with `dropKeys`, from the experiment's keys). */
  async removeTags(store: ExperimentStore, keys: readonly string[], target: TagTarget = {}, dropKeys = false): Promise<TagResult> {
    keys.forEach(validateTagKey);
    const items = await this.select(store, target);
    const updates: TagUpdate[] = items.filter((i) => keys.some((k) => k in i.tags)).map((i) => ({ itemId: i.id, remove: keys }));
    if (updates.length > 0) await store.updateTags(updates);
    if (dropKeys) {
      const info = await store.info();
      await store.setTagKeys(info.keys.filter((k) => !keys.includes(k)));
    }
    return { changed: updates.length, unchanged: items.length - updates.length };
  }

  /**
   * Exports tags as CSV: columns `name`, `id`, `dataset`, `format`, then one per tag key (the
   * experiment's keys first, then any other key present on the items).
   */
  async exportCsv(store: ExperimentStore, target: TagTarget = {}): Promise<string> {
    const info = await store.info();
    const items = await this.select(store, target);
    const keys = [...info.keys];
    for (const item of items) for (const key of Object.keys(item.tags)) if (!keys.includes(key)) keys.push(key);
    const rows = [['name', 'id', 'dataset', 'format', ...keys]];
    for (const item of items) rows.push([item.name, item.id, item.dataset, item.format, ...keys.map((k) => item.tags[k] ?? '')]);
    return formatCsv(rows);
  }

  /**
   * Imports tags from CSV. The header names the identifying column (`id` if present, else `name`)
   * and tag columns; `dataset`/`format` columns are ignored. Empty cells leave a tag unchanged.
   * Unknown or ambiguous names reject with StorageError INVALID naming the CSV line, before
   * anything is written.
   */
  async importCsv(store: ExperimentStore, csv: string, target: TagTarget = {}): Promise<TagResult> {
    const [header, ...rows] = parseCsv(csv).filter((row) => row.some((cell) => cell.trim() !== ''));
    if (header === undefined) throw new StorageError('INVALID', 'tag CSV is empty: expected a header row such as "name,Population"');
    const trimmed = header.map((h) => h.trim());
    const idColumn = trimmed.includes('id') ? 'id' : trimmed.includes('name') ? 'name' : undefined;
    if (idColumn === undefined)
      throw new StorageError('INVALID', 'tag CSV header needs an "id" or a "name" column to identify items', { details: { header: trimmed } });
    const idIndex = trimmed.indexOf(idColumn);
    const tagColumns = trimmed.map((key, index) => ({ key, index })).filter(({ key }) => !['id', 'name', 'dataset', 'format'].includes(key));
    tagColumns.forEach(({ key }) => requireKey(key));
    const items = await this.select(store, target);
    const byKey = new Map<string, DataItem[]>();
    for (const item of items) {
      const key = idColumn === 'id' ? item.id : item.name;
      byKey.set(key, [...(byKey.get(key) ?? []), item]);
    }
    const wanted = new Map<string, Tags>();
    rows.forEach((row, i) => {
      const line = i + 2;
      const ident = (row[idIndex] ?? '').trim();
      const matches = byKey.get(ident) ?? [];
      if (matches.length !== 1) {
        const why = matches.length === 0 ? 'matches no item' : `matches ${matches.length} items (use an id column)`;
        throw new StorageError('INVALID', `tag CSV line ${line}: ${idColumn} '${ident}' ${why}`, { details: { line, [idColumn]: ident } });
      }
      const tags: Record<string, string> = {};
      for (const { key, index } of tagColumns) {
        const value = row[index];
        if (value !== undefined && value !== '') tags[key] = value;
      }
      wanted.set((matches[0] as DataItem).id, tags);
    });
    return this.commit(store, items, (item) => wanted.get(item.id) ?? {});
  }

  private async select(store: ExperimentStore, target: TagTarget): Promise<readonly DataItem[]> {
    const items = await store.items(target.dataset ?? 'data');
    return target.where === undefined || target.where.trim() === '' ? items : filterItems(items, target.where);
  }

  private async commit(store: ExperimentStore, items: readonly DataItem[], tagsFor: (item: DataItem) => Tags): Promise<TagResult> {
    const updates: TagUpdate[] = [];
    const newKeys = new Set<string>();
    for (const item of items) {
      const tags = tagsFor(item);
      const changed = Object.entries(tags).filter(([k, v]) => item.tags[k] !== v);
      if (changed.length === 0) continue;
      for (const [k] of changed) newKeys.add(k);
      updates.push({ itemId: item.id, set: Object.fromEntries(changed) });
    }
    if (updates.length > 0) {
      validateTagUpdates(updates);
      const info = await store.info();
      const missing = [...newKeys].filter((k) => !info.keys.includes(k));
      if (missing.length > 0) await store.setTagKeys([...info.keys, ...missing]);
      await store.updateTags(updates);
    }
    return { changed: updates.length, unchanged: items.length - updates.length };
  }
}
