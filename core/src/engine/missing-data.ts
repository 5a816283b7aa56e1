import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { DataItem } from '../model/data-item.js';
import { mapConcurrent } from '../util/map-concurrent.js';

/**
 * Whether `item`'s data file is a local file (`file:` URI) that does not exist: never written (a
 * v1 tool that failed yet registered its outputs), or removed or moved since (a referenced source
 * folder). One `stat`; data of other schemes (a server's) is taken as present.
 */
export async function isDataMissing(item: DataItem): Promise<boolean> {
  if (!item.dataUri.startsWith('file:')) return false;
  let file: string;
  try {
    file = fileURLToPath(item.dataUri);
  } catch {
    return false;
  }
  try {
    await stat(file);
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
}

/**
 * The ids of those of `items` whose data file is missing (see {@link isDataMissing}): one `stat`
 * per item, `concurrency` at a time. For what is shown (a page of a table, one query's hits),
 * never for every item of a large experiment: `ExperimentStore.check` is the whole-experiment scan.
 */
export async function missingDataIds(items: readonly DataItem[], concurrency = 16): Promise<ReadonlySet<string>> {
  const missing = await mapConcurrent(items, concurrency, isDataMissing);
  return new Set(items.filter((_, i) => missing[i] === true).map((item) => item.id));
}
