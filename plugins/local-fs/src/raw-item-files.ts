import { copyFile, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { NewRawItem } from '@bioimageit/core';
import type { FolderUris } from './file-uris.js';
import { mapConcurrent } from './map-concurrent.js';
import { storageFailure } from './storage-failure.js';
import type { ItemFileNames } from './unique-file-names.js';
import { stringifyV1, type V1ItemDoc } from './v1-documents.js';
import { writeUnlistedFile } from './atomic-write.js';

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

async function copyData(source: string, target: string, fsync: boolean): Promise<void> {
  if (path.resolve(source) === target) return;
  try {
    await copyFile(source, target);
  } catch (error) {
    throw storageFailure(error, 'copy', source);
  }
  if (!fsync) return;
  try {
    const handle = await open(target, 'r');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw storageFailure(error, 'flush', target);
  }
}

/**
 * Copies the data files (copy mode) and writes the item files of `planned` into `folder`, a few
 * at a time, flushing both when asked. Nothing here is listed yet (names are unique among
 * listed files), so files are written in place, not renamed: the caller commits the batch by
 * writing the dataset file atomically. On
 * failure every file written for the batch is removed (best effort) and the error rethrown.
 */
export async function writeRawItemFiles(planned: readonly PlannedRawItem[], folder: FolderUris, options: RawItemWriteOptions): Promise<void> {
  try {
    await mapConcurrent(planned, options.concurrency, async ({ input, names, doc }) => {
      if (input.mode === 'copy') await copyData(input.sourcePath, folder.path(names.name), options.fsync);
      const file = folder.path(names.metadataFile);
      await writeUnlistedFile(file, stringifyV1(doc), { fsync: options.fsync }).catch((error: unknown) => {
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
