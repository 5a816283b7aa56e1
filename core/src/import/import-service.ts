import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isBioImageItError } from '../errors/bioimageit-error.js';
import type { FormatCodec } from '../extension-points/format-codec.js';
import type { AddRawItemsOptions, ExperimentStore } from '../extension-points/storage-backend.js';
import type { KernelHooks } from '../hooks/kernel-hooks.js';
import type { DataItem } from '../model/data-item.js';
import type { NewRawItem } from '../model/experiment.js';
import type { FormatRegistry } from '../registry/registries.js';
import { applyTagRules, compileTagRule, type TagRule } from '../tagging/tag-rules.js';
import { foundFile, walkRelativePaths, type FileSelection, type FoundFile } from './file-walker.js';
import { safeItemName } from './safe-item-name.js';
import { readSources, type SourceRead } from './source-reader.js';
import { mapConcurrent } from '../util/map-concurrent.js';

/**
 * Files larger than this are not read into memory: their metadata comes from the codec's
 * `readFileMetadata` (headers only) and their sha256 from a stream. With 8 files described at
 * once, import holds at most 8 × 32 MiB of file contents.
 */
const IN_MEMORY_LIMIT = 32 * 1024 * 1024;

/**
 * Files up to this size are read whole by {@link readSources}, a batch at a time on reader
 * threads (a batch of 500 then holds at most 32 MiB); larger ones one by one as before.
 */
const BATCH_READ_LIMIT = 64 * 1024;

const ALREADY_IMPORTED = 'already imported (same name and sha256)';

export interface ImportOptions extends FileSelection {
  /** `copy` into the experiment (default) or `reference` in place. */
  readonly mode?: 'copy' | 'reference';
  /** Force a format id; otherwise chosen by file extension. */
  readonly format?: string;
  readonly author: string;
  /** `YYYY-MM-DD`; today by default. */
  readonly date?: string;
  /** Tag rules applied to each file (name and path relative to the imported folder). */
  readonly tagRules?: readonly TagRule[];
  /**
   * Skip files whose name and sha256 match an item already in the raw dataset (resuming an
   * interrupted import). Checked again by the backend under its commit lock, so two imports of
   * one folder running at once add each file once.
   */
  readonly skipExisting?: boolean;
  readonly batchSize?: number;
  readonly concurrency?: number;
  /**
   * Keep the committed items in the report's `imported` (default true). False keeps their number
   * only (`importedCount`): an import of a million files then holds no million DataItems.
   */
  readonly keepItems?: boolean;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly signal?: AbortSignal;
}

export interface ImportProgress {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly current?: string;
}

/**
 * Outcome of an import: committed items, files skipped (no format), files that failed (with why),
 * and files imported under another name because theirs cannot be stored as it is (see
 * {@link safeItemName}; the item keeps the original in `metadata.originalName`).
 */
export interface ImportReport {
  /** The committed items (none kept with `keepItems: false`). */
  readonly imported: readonly DataItem[];
  /** How many items were committed. */
  readonly importedCount: number;
  readonly renamed: readonly { readonly path: string; readonly name: string }[];
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  readonly failed: readonly { readonly path: string; readonly error: string; readonly code?: string }[];
  readonly cancelled: boolean;
}

/**
 * Imports files into an experiment's raw dataset: walks the folder, reads format metadata and
 * sha256 of each file, applies tag rules, and commits batches through the storage backend (each
 * batch atomic). A file that cannot be read or parsed (a corrupt TIFF) is reported by path and
 * the rest of the import goes on; batches already committed stay committed when a later one fails
 * or the import is cancelled.
 */
export class ImportService {
  constructor(
    private readonly formats: FormatRegistry,
    private readonly hooks: KernelHooks,
  ) {}

  async importPath(store: ExperimentStore, root: string, options: ImportOptions): Promise<ImportReport> {
    const rules = (options.tagRules ?? []).map(compileTagRule);
    const found = await walkRelativePaths(root, options);
    const forced = options.format === undefined ? undefined : await this.formats.get(options.format);
    const codecOf = (file: FoundFile): FormatCodec | undefined => forced ?? this.formats.forPath(file.name);
    const skipped: { path: string; reason: string }[] = [];
    // Relative paths only (one string a file): the FoundFile of each is made when its batch comes.
    const planned: string[] = [];
    let known: string | undefined;
    for (const rel of found.relativePaths) {
      const file = foundFile(found.base, rel);
      if (codecOf(file) !== undefined) {
        planned.push(rel);
        continue;
      }
      known ??= [...new Set(this.formats.keys().flatMap((id) => this.formats.peek(id)?.extensions ?? []))].join(' ');
      const dot = file.name.lastIndexOf('.');
      const extension = dot > 0 ? `'${file.name.slice(dot).toLowerCase()}'` : 'a name without extension';
      skipped.push({ path: file.path, reason: `no known format for ${extension} (known: ${known}; use --format ID to force one)` });
    }
    const existing = options.skipExisting ? new Set((await store.items('data')).map((i) => `${i.name}\u0000${i.sha256 ?? ''}`)) : undefined;
    const imported: DataItem[] = [];
    const renamed: { path: string; name: string }[] = [];
    const failed: { path: string; error: string; code?: string }[] = [];
    const batchSize = options.batchSize ?? 500;
    const date = options.date ?? new Date().toISOString().slice(0, 10);
    let done = 0;
    const report = (current?: string) =>
      options.onProgress?.({ total: planned.length, done, failed: failed.length, ...(current !== undefined && { current }) });
    report();
    // Files are described batchSize at a time; they are committed once the pending ones number a
    // batch or an eighth of the items the dataset holds, whichever is more: a backend that rewrites
    // a dataset file per commit (v1's layout) then writes O(N) bytes in all, not O(N²/batchSize).
    // Items stored, counting those of the commit in flight (planned: its rejects are not known yet).
    let stored = options.skipExisting ? (existing?.size ?? 0) : await storedCount(store);
    let pending: NewRawItem[] = [];
    let importedCount = 0;
    const addOptions: AddRawItemsOptions = {
      ...(options.skipExisting === true && {
        skipExisting: true,
        onSkipped: (input: NewRawItem) => skipped.push({ path: input.sourcePath, reason: ALREADY_IMPORTED }),
      }),
    };
    const commitPending = async (): Promise<void> => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      stored += batch.length;
      const committed = await commitBatch(store, batch, addOptions, failed);
      stored -= batch.length - committed.length;
      importedCount += committed.length;
      if (options.keepItems !== false) for (const item of committed) imported.push(item);
      await this.hooks.dataImported.promise({ experimentUri: store.uri, items: committed, store });
    };
    let committing: Promise<void> = Promise.resolve();
    // The files of a batch are read (reader threads) while the batch before is parsed.
    const sliceAt = (start: number) => {
      const files = planned.slice(start, start + batchSize).map((rel) => foundFile(found.base, rel));
      const reads = readSources(
        files.map((f) => f.path),
        BATCH_READ_LIMIT,
      );
      reads.catch(() => undefined); // awaited below; a failure is seen there
      return { files, reads };
    };
    let next = planned.length > 0 ? sliceAt(0) : undefined;
    for (let start = 0; start < planned.length; start += batchSize) {
      if (options.signal?.aborted) {
        await committing;
        await commitPending();
        return { imported, importedCount, renamed: stillImported(renamed, skipped, failed), skipped, failed, cancelled: true };
      }
      const { files: slice, reads: reading } = next as { files: FoundFile[]; reads: Promise<SourceRead[]> };
      const reads = await reading;
      next = start + batchSize < planned.length ? sliceAt(start + batchSize) : undefined;
      const prepared = await mapConcurrent(
        slice.map((file, i) => ({ file, read: reads[i] as SourceRead })),
        options.concurrency ?? 8,
        async ({ file, read }) => {
          try {
            const codec = codecOf(file) as FormatCodec;
            const item = await describeFile(file, codec, read);
            if (item.metadata['originalName'] !== undefined) renamed.push({ path: file.path, name: item.name });
            if (existing?.has(`${item.name}\u0000${item.sha256}`)) {
              skipped.push({ path: file.path, reason: ALREADY_IMPORTED });
              return undefined;
            }
            return {
              ...item,
              mode: options.mode ?? 'copy',
              author: options.author,
              date,
              tags: applyTagRules(rules, { name: file.name, relativePath: file.relativePath }),
            } satisfies NewRawItem;
          } catch (err) {
            failed.push({ path: file.path, error: errorText(err), ...(isBioImageItError(err) && { code: err.code }) });
            return undefined;
          } finally {
            done += 1;
            report(file.relativePath);
          }
        },
      );
      for (const item of prepared) if (item !== undefined) pending.push(item);
      if (pending.length >= Math.max(batchSize, Math.floor(stored / 8))) {
        // One commit in flight while the next files are described: the backend's writes (item
        // files, flushes) overlap with reading and parsing. Its failure surfaces at the next wait.
        await committing;
        committing = commitPending();
        committing.catch(() => undefined);
      }
    }
    await committing;
    await commitPending();
    return { imported, importedCount, renamed: stillImported(renamed, skipped, failed), skipped, failed, cancelled: false };
  }
}

/** How many items the raw dataset holds now (0 when the store cannot say). */
async function storedCount(store: ExperimentStore): Promise<number> {
  const datasets = await store.listDatasets().catch(() => []);
  return datasets.find((d) => d.name === 'data')?.itemCount ?? 0;
}

/**
 * Commits one batch; when the backend rejects it as INVALID (a name it cannot hold, checked
 * before anything is written), commits its files one by one so that only the files it rejects
 * fail, each reported with its error, and the rest of the batch is imported.
 */
async function commitBatch(
  store: ExperimentStore,
  batch: readonly NewRawItem[],
  options: AddRawItemsOptions,
  failed: { path: string; error: string; code?: string }[],
): Promise<readonly DataItem[]> {
  try {
    return await store.addRawItems(batch, options);
  } catch (err) {
    if (!isInvalid(err)) throw err;
  }
  const committed: DataItem[] = [];
  for (const item of batch) {
    try {
      committed.push(...(await store.addRawItems([item], options)));
    } catch (err) {
      if (!isInvalid(err)) throw err;
      failed.push({ path: item.sourcePath, error: errorText(err), code: err.code });
    }
  }
  return committed;
}

function isInvalid(err: unknown): err is { code: string } {
  return isBioImageItError(err) && err.code === 'INVALID';
}

/**
 * Size, sha256 and format metadata of one file, under a name every backend can hold (the original
 * kept in `metadata.originalName` when it differs); errors name the file. A large file is parsed
 * before it is hashed, so a file that is not what its extension says fails without being read whole.
 */
async function describeFile(file: FoundFile, codec: FormatCodec, read: SourceRead): Promise<Omit<NewRawItem, 'mode' | 'author' | 'date' | 'tags'>> {
  if ('error' in read) throw Object.assign(new Error(read.error.message), read.error.code === undefined ? {} : { code: read.error.code });
  const size = read.size;
  const safe = safeItemName(file.name);
  const named = (metadata: Readonly<Record<string, unknown>>) => (safe.changed ? { ...metadata, originalName: file.name } : { ...metadata });
  if (size > IN_MEMORY_LIMIT) {
    const metadata = codec.readFileMetadata === undefined ? {} : await codec.readFileMetadata(file.path);
    return { sourcePath: file.path, name: safe.name, format: codec.id, size, sha256: await hashStream(file.path), metadata: named(metadata) };
  }
  let bytes = read.bytes;
  let sha256 = read.sha256;
  if (bytes === undefined || sha256 === undefined) {
    const whole = await readFile(file.path);
    bytes = new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength);
    sha256 = createHash('sha256').update(bytes).digest('hex');
  }
  const metadata = await codec.readMetadata(bytes, file.path);
  return { sourcePath: file.path, name: safe.name, format: codec.id, size: bytes.byteLength, sha256, metadata: named(metadata) };
}

/** The renamed files that were neither skipped nor failed. */
function stillImported<T extends { path: string }>(renamed: readonly T[], skipped: readonly { path: string }[], failed: readonly { path: string }[]): T[] {
  const dropped = new Set([...skipped, ...failed].map((entry) => entry.path));
  return renamed.filter((entry) => !dropped.has(entry.path));
}

function hashStream(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
