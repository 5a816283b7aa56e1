import { copyFile, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { mapConcurrent, type NewRawItem } from '@bioimageit/core';
import type { FolderUris } from './file-uris.js';
import { errnoCode, storageFailure } from './storage-failure.js';
import type { ItemFileNames } from './unique-file-names.js';
import { stringifyV1, type V1ItemDoc } from './v1-documents.js';
import { tempPathFor, writeFileAtomicStamped } from './atomic-write.js';

/** One new raw item ready to be written: its input, final names and v1 document. */
export interface PlannedRawItem {
  readonly input: NewRawItem;
  readonly names: ItemFileNames;
  readonly doc: V1ItemDoc;
}

/** How {@link writeRawItemFiles} writes. */
export interface RawItemWriteOptions {
  readonly concurrency: number;
  readonly fsync: boolean;
}

/**
 * Copies a data file under a temporary name (beside `target`, or in `tempDir` when given and on
 * the same file system), flushes it when asked, then renames it into place.
 */
export async function copyData(source: string, target: string, fsync: boolean, tempDir?: string): Promise<void> {
  if (path.resolve(source) === target) return;
  const temp = tempPathFor(target, tempDir);
  try {
    await copyFile(source, temp);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw storageFailure(error, 'copy', source);
  }
  try {
    if (fsync) {
      const handle = await open(temp, 'r');
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (tempDir !== undefined && errnoCode(error) === 'EXDEV') return copyData(source, target, fsync);
    throw storageFailure(error, 'flush', target);
  }
}

/**
 * Copies the data files (copy mode) and writes the item files of `planned` into `folder`, a few
 * at a time, flushing both when asked. Each file appears under its name only once complete
 * (temporary name, then rename), so a writer killed meanwhile leaves no truncated item file, only
 * hidden `.tmp` files that the next lock holder sweeps; the caller commits the batch by writing
 * the dataset file atomically. On
 * failure every file written for the batch is removed (best effort) and the error rethrown.
 */
export async function writeRawItemFiles(planned: readonly PlannedRawItem[], folder: FolderUris, options: RawItemWriteOptions): Promise<void> {
  try {
    await mapConcurrent(planned, options.concurrency, async ({ input, names, doc }) => {
      if (input.mode === 'copy') await copyData(input.sourcePath, folder.path(names.name), options.fsync);
      const file = folder.path(names.metadataFile);
      await writeFileAtomicStamped(file, stringifyV1(doc), { fsync: options.fsync }).catch((error: unknown) => {
        throw storageFailure(error, 'write', file);
      });
    });
  } catch (error) {
    await mapConcurrent(planned, options.concurrency, async ({ input, names }) => {
      const target = folder.path(names.name);
      if (input.mode === 'copy' && path.resolve(input.sourcePath) !== target) await unlink(target).catch(() => undefined);
      await unlink(folder.path(names.metadataFile)).catch(() => undefined);
    });
    throw error;
  }
}
