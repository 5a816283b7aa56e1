import { QueryError } from '../errors/area-errors.js';
import { StorageError } from '../errors/area-errors.js';
import type { Tags } from '../model/data-item.js';
import { validateTagKey, validateTags } from './tag-validation.js';

/** What a tag rule looks at: the item's file name and, at import, its path relative to the imported folder. */
export interface TagSubject {
  readonly name: string;
  /** POSIX-style path relative to the import root (`plate1/well_A01/img.tif`); the name when unknown. */
  readonly relativePath: string;
}

/**
 * A way to derive tags from names or paths:
 * - `regex`: named groups of a regular expression become tags (CellProfiler style,
 *   `(?<Well>[A-P]\d{2})_(?<Site>s\d+)`), matched with search semantics against the name or path;
 * - `separator`: v1's `annotate_using_separator`: the `position`-th part of the stem split on
 *   `separator` (negative positions count from the end; out of range gives "");
 * - `words`: v1's `annotate_from_name`: the first word of the list found in the name;
 * - `folder`: folder names of the relative path: `keys[i]` gets the i-th folder from the top, or
 *   `key` gets the folder holding the file;
 * - `set`: fixed tags (tagging by hand).
 */
export type TagRule =
  | { readonly kind: 'regex'; readonly pattern: string; readonly source?: 'name' | 'path' }
  | { readonly kind: 'separator'; readonly key: string; readonly separator: string; readonly position: number }
  | { readonly kind: 'words'; readonly key: string; readonly words: readonly string[] }
  | { readonly kind: 'folder'; readonly key?: string; readonly keys?: readonly string[] }
  | { readonly kind: 'set'; readonly tags: Tags };

/** A rule prepared once and applied to many subjects. Returns the tags it sets (possibly none). */
export type CompiledTagRule = (subject: TagSubject) => Tags;

/** Validates and compiles a rule; throws QueryError BAD_REGEX / StorageError INVALID naming the problem. */
export function compileTagRule(rule: TagRule): CompiledTagRule {
  switch (rule.kind) {
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(rule.pattern, 'u');
      } catch (cause) {
        throw new QueryError('BAD_REGEX', `invalid tag pattern /${rule.pattern}/: ${(cause as Error).message}`, { cause, details: { pattern: rule.pattern } });
      }
      if (!/\(\?<[A-Za-z_]/.test(rule.pattern)) {
        throw new StorageError('INVALID', `tag pattern /${rule.pattern}/ has no named group: write (?<Key>...) for each tag`, {
          details: { pattern: rule.pattern },
        });
      }
      for (const [, group] of rule.pattern.matchAll(/\(\?<([^>=!][^>]*)>/g)) requireKey(group as string);
      const from = rule.source ?? 'name';
      return (subject) => {
        const groups = re.exec(from === 'name' ? subject.name : subject.relativePath)?.groups;
        if (groups === undefined) return {};
        const tags: Record<string, string> = {};
        for (const [key, value] of Object.entries(groups)) if (value !== undefined) tags[key] = value;
        return tags;
      };
    }
    case 'separator': {
      requireKey(rule.key);
      if (rule.separator === '') throw new StorageError('INVALID', 'tag separator must not be empty', { details: { rule } });
      if (!Number.isInteger(rule.position)) throw new StorageError('INVALID', `tag position '${rule.position}' must be an integer`, { details: { rule } });
      return (subject) => {
        const parts = fileStem(subject.name).split(rule.separator);
        const index = rule.position < 0 ? parts.length + rule.position : rule.position;
        return { [rule.key]: parts[index] ?? '' };
      };
    }
    case 'words': {
      requireKey(rule.key);
      if (rule.words.length === 0) throw new StorageError('INVALID', `tag '${rule.key}': give at least one word`, { details: { rule } });
      return (subject) => {
        const word = rule.words.find((w) => subject.name.includes(w));
        return word === undefined ? {} : { [rule.key]: word };
      };
    }
    case 'folder': {
      if (rule.key === undefined && (rule.keys === undefined || rule.keys.length === 0)) {
        throw new StorageError('INVALID', 'folder tagging needs a key (the folder holding the file) or keys (folders from the top)', { details: { rule } });
      }
      if (rule.key !== undefined) requireKey(rule.key);
      rule.keys?.forEach(requireKey);
      return (subject) => {
        const folders = subject.relativePath.split('/').slice(0, -1);
        const tags: Record<string, string> = {};
        rule.keys?.forEach((key, i) => {
          const folder = folders[i];
          if (folder !== undefined) tags[key] = folder;
        });
        const parent = folders.at(-1);
        if (rule.key !== undefined && parent !== undefined) tags[rule.key] = parent;
        return tags;
      };
    }
    case 'set': {
      validateTags(rule.tags, 'the tag rule');
      const tags = { ...rule.tags };
      return () => tags;
    }
  }
}

/** Applies several compiled rules in order; later rules override earlier ones. */
export function applyTagRules(rules: readonly CompiledTagRule[], subject: TagSubject): Tags {
  const tags: Record<string, string> = {};
  for (const rule of rules) Object.assign(tags, rule(subject));
  return tags;
}

/** A tag key: non-empty, no control characters, not `__proto__`/`constructor`/`prototype` (see validateTagKey). */
export function requireKey(key: string): void {
  validateTagKey(key);
}

/** File name without its extension (as v1's splitext), treating `.ome.tif(f)` as one extension. */
export function fileStem(name: string): string {
  const double = /\.ome\.(tiff?|zarr)$/i.exec(name);
  if (double !== null) return name.slice(0, double.index);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? name : name.slice(0, dot);
}
