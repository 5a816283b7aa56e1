import { access } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { isBioImageItError } from '../errors/bioimageit-error.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem } from '../model/data-item.js';
import { fileDigest } from './file-digest.js';
import { mediaTypeOf } from './media-types.js';

/** Where one item's data file goes in a crate, and what the crate records about it. */
export interface CrateFile {
  readonly itemId: string;
  /** The File entity's `@id`: a relative URI path (copied) or an absolute URI (referenced). */
  readonly id: string;
  /** Path inside the crate folder, `/`-separated, when the file is copied. */
  readonly relativePath?: string;
  /** Local path to read the data from (resolved through the store; absent when not needed). */
  readonly sourcePath?: string;
  readonly fileName: string;
  readonly size: number;
  readonly sha256: string;
  readonly mediaType: string;
}

/** A path segment that cannot climb out of its folder or split in two. */
function safeSegment(segment: string): string {
  const cleaned = segment.replace(/[/\\\0]/g, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? `_${cleaned}` : cleaned;
}

/** The data file's own name: the last segment of its URI, else the item name. */
function dataFileName(item: DataItem): string {
  try {
    const last = new URL(item.dataUri).pathname.split('/').pop();
    if (last !== undefined && last !== '') return decodeURIComponent(last);
  } catch {
    // not an absolute URI: fall back to the item name
  }
  return item.name;
}

/** `name` made unique among `taken` (case-insensitively, for case-insensitive file systems). */
function uniqueName(name: string, taken: Set<string>): string {
  const dot = name.indexOf('.', 1);
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  let candidate = name;
  for (let n = 1; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}_${n}${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** An absolute URI for a referenced (not copied) item. */
function absoluteUri(item: DataItem, localPath: string | undefined): string {
  try {
    return new URL(item.dataUri).href;
  } catch {
    return pathToFileURL(localPath ?? item.dataUri).href;
  }
}

/** True for the error of a data file that is not there (never written, or removed since). */
function isMissingData(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' || (isBioImageItError(error, 'storage') && error.code === 'NOT_FOUND');
}

/**
 * Plans the File entities of `items`: crate paths `<dataset>/<file name>` (made unique per folder)
 * when copying, absolute URIs otherwise; size and sha256 from the item, or computed from the data
 * (v1 items record neither). Items are localized through the store only when needed. An item
 * whose data file is missing (v1 registers the outputs of a failed tool, which it never wrote)
 * gets no entry: callers name it as missing instead of describing a file that does not exist.
 */
export async function planCrateFiles(store: ExperimentStore, items: readonly DataItem[], copy: boolean): Promise<Map<string, CrateFile>> {
  const taken = new Map<string, Set<string>>();
  const planned = new Map<string, CrateFile>();
  for (const item of items) {
    const known = item.sha256 !== undefined && item.sha256 !== '' && item.size !== undefined;
    let sourcePath: string | undefined;
    let digest: { readonly size: number; readonly sha256: string };
    try {
      sourcePath = copy || !known ? await store.localize(item) : undefined;
      if (known && sourcePath !== undefined) await access(sourcePath);
      digest = known ? { size: item.size ?? 0, sha256: item.sha256 ?? '' } : await fileDigest(sourcePath ?? '');
    } catch (error) {
      if (isMissingData(error)) continue;
      throw error;
    }
    const original = dataFileName(item);
    const common = { itemId: item.id, size: digest.size, sha256: digest.sha256, mediaType: mediaTypeOf(item.format, original) };
    if (!copy) {
      planned.set(item.id, { ...common, id: absoluteUri(item, sourcePath), fileName: original, ...(sourcePath !== undefined && { sourcePath }) });
      continue;
    }
    const folder = safeSegment(item.dataset);
    const names = taken.get(folder) ?? new Set<string>();
    taken.set(folder, names);
    const fileName = uniqueName(safeSegment(original), names);
    planned.set(item.id, {
      ...common,
      id: `${encodeURIComponent(folder)}/${encodeURIComponent(fileName)}`,
      relativePath: `${folder}/${fileName}`,
      fileName,
      ...(sourcePath !== undefined && { sourcePath }),
    });
  }
  return planned;
}
