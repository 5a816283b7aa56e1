import { copyFile, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { mapConcurrent, type NewRawItem } from '@bioimageit/core';
import type { FolderUris } from './file-uris.js';
import { errnoCode, storageFailure } from './storage-failure.js';
import type { ItemFileNames } from './unique-file-names.js';
import { stringifyV1, type V1ItemDoc } from './v1-documents.js';
import { tempPathFor, writeFileAtomicStamped } from './atomic-write.js';
import { flushFiles } from './flush-files.js';
import { createSmallFiles, SmallFileError, type NewSmallFile } from './small-file-writer.js';

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
 * Copies the data files (copy mode) and writes the item files of `planned` into `folder`, then,
 * when asked, makes them all durable at once ({@link flushFiles}) before the caller's commit
 * point. The caller's commit journal lists every one of these files before the first is placed,
 * so a writer killed meanwhile leaves nothing a reader sees: the next lock holder deletes what
 * the journal lists and the dataset does not (a half-written item file included). Item files are
 * therefore created in place (exclusively, see {@link createSmallFiles}: on a writer thread for a
 * large batch, so an import describes its next files meanwhile); only a name an orphan still holds
 * (a dead writer's file the dataset does not list) is replaced through a temporary file and a
 * rename. Data files are copied under a temporary name and renamed. On failure every file written for the batch is removed (best effort) and the error rethrown.
 */
export async function writeRawItemFiles(planned: readonly PlannedRawItem[], folder: FolderUris, options: RawItemWriteOptions): Promise<void> {
  const written: string[] = [];
  try {
    await mapConcurrent(planned, options.concurrency, async ({ input, names }) => {
      if (input.mode !== 'copy') return;
      const target = folder.path(names.name);
      await copyData(input.sourcePath, target, false);
      if (path.resolve(input.sourcePath) !== target) written.push(target);
    });
    const files = planned.map(({ names, doc }): NewSmallFile => [folder.path(names.metadataFile), stringifyV1(doc)]);
    const { existing } = await createSmallFiles(files).catch((error: unknown) => {
      throw storageFailure(error, 'write', error instanceof SmallFileError ? error.path : folder.dir);
    });
    // A name an orphan holds (a dead writer's file the dataset does not list): replaced whole.
    for (const i of existing) {
      const [file, text] = files[i] as NewSmallFile;
      await writeFileAtomicStamped(file, text, { fsync: false }).catch((error: unknown) => {
        throw storageFailure(error, 'write', file);
      });
    }
    for (const [file] of files) written.push(file);
    if (options.fsync) {
      await flushFiles(folder.dir, written, options.concurrency).catch((error: unknown) => {
        throw storageFailure(error, 'flush', folder.dir);
      });
    }
  } catch (error) {
    await mapConcurrent(planned, options.concurrency, async ({ input, names }) => {
      const target = folder.path(names.name);
      if (input.mode === 'copy' && path.resolve(input.sourcePath) !== target) await unlink(target).catch(() => undefined);
      await unlink(folder.path(names.metadataFile)).catch(() => undefined);
    });
    throw error;
  }
}
