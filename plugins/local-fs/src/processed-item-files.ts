import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { mapConcurrent, type NewProcessedItem } from '@bioimageit/core';
import { writeFileAtomicStamped } from './atomic-write.js';
import type { FolderUris } from './file-uris.js';
import { copyData } from './raw-item-files.js';
import { errnoCode, storageFailure } from './storage-failure.js';
import type { ItemFileNames } from './unique-file-names.js';
import { stringifyV1, type V1ItemDoc } from './v1-documents.js';

/** One job output ready to be committed: its input, final names and v1 document. */
export interface PlannedProcessedItem {
  readonly input: NewProcessedItem;
  readonly names: ItemFileNames;
  readonly doc: V1ItemDoc;
}

/**
 * How one output's data reached the dataset: renamed (undo: rename back), copied (undo: delete;
 * the source is deleted after the commit), kept (copied from a file the experiment owns, which
 * stays), or already in place.
 */
interface PlacedData {
  readonly source: string;
  readonly target: string;
  readonly how: 'renamed' | 'copied' | 'kept' | 'in-place';
}

/** How {@link ProcessedItemFiles} writes. */
export interface ProcessedWriteOptions {
  readonly concurrency: number;
  readonly fsync: boolean;
  /** True for a source that must be copied, never moved (a file the experiment owns, outside staging). */
  readonly mustCopy: (source: string) => boolean;
}

async function flush(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * Puts the data files and item files of one commit into a processed dataset folder, and undoes
 * that when the commit fails. Outputs are moved from staging with `rename` (flushed first when
 * `fsync`), or copied (temporary name + rename) when staging is on another file system; the
 * copied sources are deleted by {@link finish}, after the commit point. A source the experiment
 * owns (another item's data, outside the staging folders) is copied and left alone. Item files
 * are written atomically. Not a transaction by itself: the caller commits by writing the dataset
 * file.
 */
export class ProcessedItemFiles {
  private readonly placed: PlacedData[] = [];
  private readonly written: string[] = [];

  constructor(
    private readonly folder: FolderUris,
    private readonly options: ProcessedWriteOptions,
  ) {}

  /** Places every output and writes its item file; on failure undoes all of it and rethrows. */
  async write(planned: readonly PlannedProcessedItem[]): Promise<void> {
    try {
      await mapConcurrent(planned, this.options.concurrency, async ({ input, names, doc }) => {
        this.placed.push(await this.place(input.sourcePath, this.folder.path(names.name)));
        const file = this.folder.path(names.metadataFile);
        this.written.push(file);
        await writeFileAtomicStamped(file, stringifyV1(doc), { fsync: this.options.fsync }).catch((error: unknown) => {
          throw storageFailure(error, 'write', file);
        });
      });
    } catch (error) {
      await this.undo();
      throw error;
    }
  }

  /** Removes what {@link write} put in place: moved outputs go back to staging, the rest is deleted. */
  async undo(): Promise<void> {
    await mapConcurrent(this.written.splice(0), this.options.concurrency, (file) => unlink(file).catch(() => undefined));
    await mapConcurrent(this.placed.splice(0), this.options.concurrency, async ({ source, target, how }) => {
      if (how === 'in-place') return;
      if (
        how === 'renamed' &&
        (await rename(target, source).then(
          () => true,
          () => false,
        ))
      )
        return;
      await unlink(target).catch(() => undefined);
    });
  }

  /** After the commit point: deletes the staging sources of outputs that had to be copied (best effort). */
  async finish(): Promise<void> {
    const copied = this.placed.filter((p) => p.how === 'copied');
    await mapConcurrent(copied, this.options.concurrency, (p) => unlink(p.source).catch(() => undefined));
  }

  private async place(source: string, target: string): Promise<PlacedData> {
    if (path.resolve(source) === target) return { source, target, how: 'in-place' };
    if (this.options.mustCopy(path.resolve(source))) {
      await copyData(source, target, this.options.fsync);
      return { source, target, how: 'kept' };
    }
    try {
      if (this.options.fsync) await flush(source);
      await rename(source, target);
      return { source, target, how: 'renamed' };
    } catch (error) {
      if (errnoCode(error) !== 'EXDEV') throw storageFailure(error, 'move the output', source);
    }
    await copyData(source, target, this.options.fsync);
    return { source, target, how: 'copied' };
  }
}
