import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomicStamped } from './atomic-write.js';
import { errnoCode, storageFailure } from './storage-failure.js';
import { signatureOf, type FileSignature } from './file-signature.js';
import type { V1DatasetEntry, V1ItemDoc } from './v1-documents.js';

/** One listed item of a dataset: its dataset-file entry and its parsed file (null when the file is missing). */
export interface IndexedEntry {
  readonly entry: V1DatasetEntry;
  readonly doc: V1ItemDoc | null;
}

/** What the index knows of one dataset file (keyed by its experiment-relative path). */
export interface IndexedDataset {
  /** The dataset document without its `urls` (uuid, name and any extra key). */
  readonly head: Readonly<Record<string, unknown>>;
  readonly entries: IndexedEntry[];
  /** Position of each entry by url. */
  readonly positions: Map<string, number>;
  /** Signature of the dataset file these entries reflect. */
  sig?: FileSignature;
  /** Changes whenever the entries change (a process-wide counter). */
  version: number;
}

/** A line of the index log. */
export type IndexRecord =
  | { readonly op: 'dataset'; readonly key: string; readonly head: Readonly<Record<string, unknown>> }
  | { readonly op: 'item'; readonly key: string; readonly entry: V1DatasetEntry; readonly doc: V1ItemDoc | null }
  | { readonly op: 'sig'; readonly key: string; readonly sig: FileSignature };

const HEADER = { index: 'bioimageit-ts', version: 1 };
const HEADER_LINE = JSON.stringify(HEADER);
let versions = 0;

/**
 * The item index of one experiment: an append-only JSON-lines log under `.bioimageit/`. A
 * `dataset` record (re)starts a dataset, `item` records upsert entries by url (new urls go to
 * the end, as in the dataset file), `sig` records state which version of the dataset file the
 * entries reflect. Writers append one chunk per write (O(items written)); when superseded
 * records outnumber live ones the log is rewritten atomically (compaction). Readers consume the
 * log incrementally and ignore a torn last line. It is a cache: losing it costs a rebuild only,
 * so it is never fsynced. Appending and rewriting require the experiment lock.
 */
export class ExperimentIndex {
  readonly datasets = new Map<string, IndexedDataset>();
  /** False when the log is missing, of another version or unreadable: it must be rewritten, not appended to. */
  private usable = false;
  private consumed = 0;
  private ino: number | undefined;
  private lines = 0;

  constructor(readonly file: string) {}

  /** True when the log can take appends (it exists and parsed cleanly). */
  get appendable(): boolean {
    return this.usable;
  }

  /**
   * Reads what other processes appended since the last call, or the whole log when it was
   * replaced (compaction) or truncated. A torn last line is left for later. When the log is
   * missing or unreadable, what memory holds (datasets rebuilt from the files) is kept until
   * the log changes, so a read-only experiment is rebuilt once, not on every read.
   */
  async sync(): Promise<void> {
    const seen = await stat(this.file).catch(() => undefined);
    if (seen !== undefined && seen.ino === this.ino && seen.size === this.consumed) return;
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'ENOTDIR') throw storageFailure(error, 'read the index', this.file);
      if (this.ino !== undefined) this.clear();
      return;
    }
    try {
      const stats = await handle.stat();
      if (stats.ino !== this.ino || stats.size < this.consumed || (!this.usable && stats.size !== this.consumed)) {
        this.clear();
        this.ino = stats.ino;
      }
      if (stats.size === this.consumed) return;
      const buffer = Buffer.alloc(stats.size - this.consumed);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.consumed);
      const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (end < 0) return;
      const fromStart = this.consumed === 0;
      this.consumed += end + 1;
      if (!this.parse(buffer.toString('utf8', 0, end), fromStart)) {
        this.clear();
        this.ino = stats.ino;
        this.consumed = stats.size;
      }
    } catch (error) {
      throw storageFailure(error, 'read the index', this.file);
    } finally {
      await handle.close();
    }
  }

  /**
   * Applies records in memory and writes them to the log (requires the lock and a prior
   * {@link sync}): appended after dropping a torn tail, or the whole log rewritten when it is not
   * appendable. Returns false when the log could not be written; memory is updated all the same
   * and the log marked for a rewrite, so it never lacks a record it claims to reflect.
   */
  async commit(records: readonly IndexRecord[], keep: readonly string[]): Promise<boolean> {
    if (!this.usable) {
      for (const record of records) this.apply(record);
      return this.rewrite(keep).then(
        () => true,
        () => false,
      );
    }
    if (records.length === 0) return true;
    const chunk = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    let written = false;
    try {
      const handle = await open(this.file, 'r+');
      try {
        const stats = await handle.stat();
        if (stats.ino === this.ino) {
          if (stats.size !== this.consumed) await handle.truncate(this.consumed);
          await handle.write(chunk, 0, chunk.length, this.consumed);
          written = true;
        }
      } finally {
        await handle.close();
      }
    } catch {
      written = false;
    }
    for (const record of records) this.apply(record);
    if (written) this.consumed += chunk.length;
    else this.usable = false;
    return written;
  }

  /**
   * Rewrites the whole log from memory, keeping only the datasets in `keep` (requires the lock).
   * On failure the log is marked for another rewrite and IO rejects, naming the file.
   */
  async rewrite(keep: readonly string[]): Promise<void> {
    const parts: string[] = [HEADER_LINE];
    for (const key of keep) {
      const dataset = this.datasets.get(key);
      if (dataset === undefined) continue;
      parts.push(JSON.stringify({ op: 'dataset', key, head: dataset.head }));
      for (const { entry, doc } of dataset.entries) parts.push(JSON.stringify({ op: 'item', key, entry, doc }));
      if (dataset.sig !== undefined) parts.push(JSON.stringify({ op: 'sig', key, sig: dataset.sig }));
    }
    for (const key of [...this.datasets.keys()]) if (!keep.includes(key)) this.datasets.delete(key);
    const text = parts.join('\n') + '\n';
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFileAtomicStamped(this.file, text, { fsync: false });
      const handle = await open(this.file, 'r');
      try {
        const stats = signatureOf(await handle.stat());
        this.ino = stats.ino;
        this.consumed = stats.size;
      } finally {
        await handle.close();
      }
    } catch (error) {
      this.usable = false;
      throw storageFailure(error, 'write the index', this.file);
    }
    this.lines = parts.length;
    this.usable = true;
  }

  /** True when superseded records make up most of the log: time to {@link rewrite} it. */
  needsCompaction(): boolean {
    let live = 1;
    for (const dataset of this.datasets.values()) live += dataset.entries.length + 2;
    return this.lines > 2 * live + 1000;
  }

  /** Applies a record to memory (also used for what a writer is about to append). */
  apply(record: IndexRecord): void {
    this.lines++;
    if (record.op === 'dataset') {
      this.datasets.set(record.key, { head: record.head, entries: [], positions: new Map(), version: ++versions });
      return;
    }
    const dataset = this.datasets.get(record.key);
    if (dataset === undefined) return;
    if (record.op === 'sig') {
      dataset.sig = record.sig;
      return;
    }
    const at = dataset.positions.get(record.entry.url);
    if (at === undefined) {
      dataset.positions.set(record.entry.url, dataset.entries.length);
      dataset.entries.push({ entry: record.entry, doc: record.doc });
    } else {
      dataset.entries[at] = { entry: record.entry, doc: record.doc };
    }
    dataset.version = ++versions;
  }

  /** Applies the lines of `text`; false when the log is of another version or unreadable. */
  private parse(text: string, fromStart: boolean): boolean {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let record: unknown;
      try {
        record = JSON.parse(lines[i] as string);
      } catch {
        return false;
      }
      if (i === 0 && fromStart) {
        const header = record as Partial<typeof HEADER>;
        if (header.index !== HEADER.index || header.version !== HEADER.version) return false;
        this.usable = true;
        this.lines = 1;
      } else if (this.usable) {
        this.apply(record as IndexRecord);
      } else {
        return false;
      }
    }
    return true;
  }

  private clear(): void {
    this.datasets.clear();
    this.usable = false;
    this.consumed = 0;
    this.ino = undefined;
    this.lines = 0;
  }
}
