import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '@bioimageit/core';
import { writeFileAtomicStamped } from './atomic-write.js';
import { HeldFile } from './held-file.js';
import { errnoCode, storageFailure } from './storage-failure.js';
import { signatureOf, type FileSignature } from './file-signature.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  openSnapshot,
  SNAPSHOT_TAIL_BYTES,
  type OpenedSnapshot,
  type SnapshotColumns,
  type SnapshotRow,
} from './index-snapshot.js';
import type { V1DatasetEntry, V1ItemDoc } from './v1-documents.js';
import { ownTags } from './v1-item-mapping.js';

/**
 * One listed item of a dataset: its dataset-file entry and its parsed file (null when the file is
 * missing). Entries loaded from a snapshot read `entry` and `doc` on first access (see
 * {@link SnapshotEntry}); `present` and the log place are known without reading.
 */
export interface IndexedEntry {
  readonly entry: V1DatasetEntry;
  readonly doc: V1ItemDoc | null;
  /** `doc !== null`, known without reading the document. */
  readonly present: boolean;
  /** Byte offset of the entry's latest record in the log, -1 when the log does not hold it (memory only). */
  readonly at: number;
  /** Byte length of that record (without its newline). */
  readonly length: number;
}

/** Entries not yet built: made one by one on first access (a snapshot's rows). */
export interface LazyEntries {
  readonly count: number;
  make(row: number): IndexedEntry;
}

/**
 * What the index knows of one dataset file (keyed by its experiment-relative path). A dataset
 * loaded from a snapshot builds an entry object only for a row asked for ({@link entryAt}), or
 * for all rows once {@link entries} is read: a query over a million rows builds its hits only.
 */
export class IndexedDataset {
  private positionMap: Map<string, number> | undefined;
  private list: IndexedEntry[] | undefined;
  private made: (IndexedEntry | undefined)[] | undefined;

  constructor(
    /** The dataset document without its `urls` (uuid, name and any extra key). */
    readonly head: Readonly<Record<string, unknown>>,
    entries: IndexedEntry[] | LazyEntries,
    /** Changes whenever the entries change (a process-wide counter). */
    public version: number,
    /** Signature of the dataset file these entries reflect. */
    public sig?: FileSignature,
    /** The snapshot columns its {@link SnapshotEntry} entries read from, when loaded from one. */
    readonly columns?: SnapshotColumns,
    positions?: Map<string, number>,
  ) {
    this.positionMap = positions;
    if (Array.isArray(entries)) this.list = entries;
    else {
      this.lazy = entries;
      this.made = new Array<IndexedEntry | undefined>(entries.count);
    }
  }

  private lazy: LazyEntries | undefined;

  /** Every entry, in dataset order (builds those not built yet; the array is the one writers update). */
  get entries(): IndexedEntry[] {
    if (this.list === undefined) {
      const lazy = this.lazy as LazyEntries;
      const made = this.made as (IndexedEntry | undefined)[];
      const list = new Array<IndexedEntry>(lazy.count);
      for (let i = 0; i < lazy.count; i++) list[i] = made[i] ?? lazy.make(i);
      this.list = list;
      this.lazy = undefined;
      this.made = undefined;
    }
    return this.list;
  }

  /** How many entries there are, without building them. */
  get size(): number {
    return this.list?.length ?? (this.lazy as LazyEntries).count;
  }

  /** False while some snapshot rows have no entry object yet. */
  get built(): boolean {
    return this.list !== undefined;
  }

  /** The entry at `row` (built and kept if needed). */
  entryAt(row: number): IndexedEntry {
    if (this.list !== undefined) return this.list[row] as IndexedEntry;
    const made = this.made as (IndexedEntry | undefined)[];
    return (made[row] ??= (this.lazy as LazyEntries).make(row));
  }

  /** The entry at `row` if built, else undefined (a snapshot row nobody asked for). */
  builtEntryAt(row: number): IndexedEntry | undefined {
    return this.list !== undefined ? this.list[row] : this.made?.[row];
  }

  /**
   * The dataset-file entry (uuid and url) at `row`, without building an unbuilt snapshot row: it
   * is then read from the columns into a fresh object nobody keeps (a writer rewriting the dataset
   * file of a million items builds no million entries).
   */
  datasetEntryAt(row: number): V1DatasetEntry {
    const built = this.builtEntryAt(row);
    if (built !== undefined) return built.entry;
    const columns = this.columns as SnapshotColumns;
    return { uuid: columns.uuid(row), url: columns.url(row) };
  }

  /** The url of the entry at `row` (see {@link datasetEntryAt}). */
  urlAt(row: number): string {
    return this.builtEntryAt(row)?.entry.url ?? (this.columns as SnapshotColumns).url(row);
  }

  /** The data file url of the entry at `row` as {@link entryDataUrl} gives it, without building an unbuilt snapshot row. */
  dataUrlAt(row: number): string | undefined {
    const built = this.builtEntryAt(row);
    if (built !== undefined) return entryDataUrl(built);
    const columns = this.columns as SnapshotColumns;
    return columns.present(row) ? columns.dataUrl(row) : undefined;
  }

  /** The url positions if already built (to hand on to a dataset with the same entries). */
  get knownPositions(): Map<string, number> | undefined {
    return this.positionMap;
  }

  /** Position of each entry by url (built on first use: a snapshot-loaded dataset decodes its urls then). */
  get positions(): Map<string, number> {
    if (this.positionMap === undefined) {
      this.positionMap = new Map();
      const size = this.size;
      for (let i = 0; i < size; i++) this.positionMap.set(this.urlAt(i), i);
    }
    return this.positionMap;
  }
}

/**
 * The log file a snapshot's record places refer to, held open (that very inode, even after a
 * compaction replaced the file) until the index closes or no entry refers to it any more.
 */
class LogReader extends HeldFile {
  /** A reader of `file` if it still is the log version `ino`, else undefined. */
  static of(file: string, ino: number): LogReader | undefined {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return undefined;
    }
    if (fstatSync(fd).ino !== ino) {
      closeSync(fd);
      return undefined;
    }
    return new LogReader(file, fd);
  }

  /** The rows of `columns` as entries built on demand, reading their records through this reader. */
  rows(columns: SnapshotColumns): LazyEntries {
    return { count: columns.count, make: (row) => new SnapshotEntry(columns, row, this) };
  }

  /** The document of the `item` record at `at` (of `length` bytes) for entry `url`. */
  readDoc(at: number, length: number, url: string): V1ItemDoc | null {
    let record: Partial<Extract<IndexRecord, { op: 'item' }>> | undefined;
    try {
      this.assertOpen();
      const buffer = Buffer.allocUnsafe(length);
      const read = readSync(this.fd, buffer, 0, length, at);
      record = JSON.parse(buffer.toString('utf8', 0, read)) as Partial<Extract<IndexRecord, { op: 'item' }>>;
    } catch (cause) {
      throw new StorageError('CORRUPT', `cannot read the record of item '${url}' in the index ${this.file}: ${(cause as Error).message}`, {
        cause,
        details: { file: this.file, item: url },
      });
    }
    if (record?.op !== 'item' || record.entry?.url !== url) {
      throw new StorageError(
        'CORRUPT',
        `the index ${this.file} does not hold item '${url}' where its snapshot says; delete the index (a cache) to rebuild it`,
        {
          details: { file: this.file, item: url },
        },
      );
    }
    return record.doc ?? null;
  }
}

/** An entry loaded from a snapshot: its url, uuid and document are read on first access. */
export class SnapshotEntry implements IndexedEntry {
  private cachedEntry: V1DatasetEntry | undefined;
  private cachedDoc: V1ItemDoc | null | undefined;

  constructor(
    readonly columns: SnapshotColumns,
    readonly row: number,
    private readonly log: LogReader,
  ) {}

  get entry(): V1DatasetEntry {
    return (this.cachedEntry ??= { uuid: this.columns.uuid(this.row), url: this.columns.url(this.row) });
  }

  get present(): boolean {
    return this.columns.present(this.row);
  }

  get at(): number {
    return this.columns.at(this.row);
  }

  get length(): number {
    return this.columns.length(this.row);
  }

  /** True once the document was read (its columns may no longer be all there is to know). */
  get parsed(): boolean {
    return this.cachedDoc !== undefined;
  }

  get doc(): V1ItemDoc | null {
    if (this.cachedDoc === undefined) this.cachedDoc = this.present ? this.log.readDoc(this.at, this.length, this.entry.url) : null;
    return this.cachedDoc;
  }
}

/** A line of the index log. */
export type IndexRecord =
  | { readonly op: 'dataset'; readonly key: string; readonly head: Readonly<Record<string, unknown>> }
  | { readonly op: 'item'; readonly key: string; readonly entry: V1DatasetEntry; readonly doc: V1ItemDoc | null }
  | { readonly op: 'sig'; readonly key: string; readonly sig: FileSignature };

const HEADER = { index: 'bioimageit-ts', version: 1 };
const HEADER_LINE = JSON.stringify(HEADER);
/** A snapshot is rewritten once this many records (or an eighth of the live entries, if more) came after it. */
const SNAPSHOT_EVERY = 1000;
/** Up to this many entries, a closing writer always leaves a snapshot of what it wrote. */
const SNAPSHOT_CHEAP_ROWS = 50_000;
let versions = 0;

/**
 * The item index of one experiment: an append-only JSON-lines log under `.bioimageit/`. A
 * `dataset` record (re)starts a dataset, `item` records upsert entries by url (new urls go to
 * the end, as in the dataset file), `sig` records state which version of the dataset file the
 * entries reflect. Writers append one chunk per write (O(items written)); when superseded
 * records outnumber live ones the log is rewritten atomically (compaction). Readers consume the
 * log incrementally and ignore a torn last line. It is a cache: losing it costs a rebuild only,
 * so it is never fsynced. Appending and rewriting require the experiment lock.
 *
 * Next to the log lies a snapshot (see index-snapshot.ts) of the log up to some offset: a new
 * process loads it instead of parsing every record, reads each item's record only when the item
 * is needed, and parses the log from the snapshot's offset on. Whoever has read many records past
 * the snapshot (a writer after appending, a reader after catching up) writes a new one
 * atomically; no lock is needed, since a snapshot names the log version and offset it reflects.
 */
export class ExperimentIndex {
  readonly datasets = new Map<string, IndexedDataset>();
  readonly snapshotFile: string;
  /** False when the log is missing, of another version or unreadable: it must be rewritten, not appended to. */
  private usable = false;
  private consumed = 0;
  private ino: number | undefined;
  private lines = 0;
  /** Records applied since the snapshot last loaded or written (Infinity: none matches the log). */
  private sinceSnapshot = Number.POSITIVE_INFINITY;
  private reader: LogReader | undefined;
  /** The snapshot file the entries were loaded from (its columns read on demand); see {@link close}. */
  private snapshot: OpenedSnapshot | undefined;
  /** True when this process appended records after the snapshot last loaded or written. */
  private committedSinceSnapshot = false;

  constructor(readonly file: string) {
    this.snapshotFile = path.join(path.dirname(file), 'index.snapshot');
  }

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
        await this.loadSnapshot(handle, stats.ino, stats.size);
      }
      if (stats.size === this.consumed) return;
      const buffer = Buffer.alloc(stats.size - this.consumed);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.consumed);
      const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (end < 0) return;
      const base = this.consumed;
      this.consumed += end + 1;
      if (!this.parse(buffer.subarray(0, end + 1), base)) {
        this.clear();
        this.ino = stats.ino;
        this.consumed = stats.size;
        return;
      }
    } catch (error) {
      throw storageFailure(error, 'read the index', this.file);
    } finally {
      await handle.close();
    }
    if (this.snapshotDue()) await this.writeSnapshot().catch(() => undefined);
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
    const lines = records.map((r) => JSON.stringify(r));
    const chunk = Buffer.from(lines.join('\n') + '\n');
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
    let at = this.consumed;
    records.forEach((record, i) => {
      const length = Buffer.byteLength(lines[i] as string);
      this.apply(record, written ? at : -1, length);
      at += length + 1;
    });
    if (written) {
      this.consumed += chunk.length;
      this.committedSinceSnapshot = true;
    } else this.usable = false;
    if (written && this.snapshotDue()) await this.writeSnapshot().catch(() => undefined);
    return written;
  }

  /**
   * Rewrites the whole log from memory, keeping only the datasets in `keep` (requires the lock).
   * On failure the log is marked for another rewrite and IO rejects, naming the file.
   */
  async rewrite(keep: readonly string[]): Promise<void> {
    const parts: string[] = [HEADER_LINE];
    let at = Buffer.byteLength(HEADER_LINE) + 1;
    const rebuilt = new Map<string, IndexedDataset>();
    for (const key of keep) {
      const dataset = this.datasets.get(key);
      if (dataset === undefined) continue;
      const line = JSON.stringify({ op: 'dataset', key, head: dataset.head });
      parts.push(line);
      at += Buffer.byteLength(line) + 1;
      const entries: IndexedEntry[] = [];
      for (const { entry, doc } of dataset.entries) {
        const record = JSON.stringify({ op: 'item', key, entry, doc });
        parts.push(record);
        const length = Buffer.byteLength(record);
        entries.push({ entry, doc, present: doc !== null, at, length });
        at += length + 1;
      }
      if (dataset.sig !== undefined) {
        const sig = JSON.stringify({ op: 'sig', key, sig: dataset.sig });
        parts.push(sig);
        at += Buffer.byteLength(sig) + 1;
      }
      rebuilt.set(key, new IndexedDataset(dataset.head, entries, dataset.version, dataset.sig));
    }
    this.datasets.clear();
    for (const [key, dataset] of rebuilt) this.datasets.set(key, dataset);
    this.detachReader();
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
    this.sinceSnapshot = Number.POSITIVE_INFINITY;
    await this.writeSnapshot().catch(() => undefined);
  }

  /** True when superseded records make up most of the log: time to {@link rewrite} it. */
  needsCompaction(): boolean {
    let live = 1;
    for (const dataset of this.datasets.values()) live += dataset.size + 2;
    return this.lines > 2 * live + 1000;
  }

  /**
   * Applies a record to memory (also used for what a writer is about to append). `at`/`length`:
   * where the record lies in the log (-1: not in the log).
   */
  apply(record: IndexRecord, at = -1, length = 0): void {
    this.lines++;
    this.sinceSnapshot++;
    if (record.op === 'dataset') {
      this.datasets.set(record.key, new IndexedDataset(record.head, [], ++versions));
      return;
    }
    const dataset = this.datasets.get(record.key);
    if (dataset === undefined) return;
    if (record.op === 'sig') {
      dataset.sig = record.sig;
      return;
    }
    const indexed: IndexedEntry = { entry: record.entry, doc: record.doc, present: record.doc !== null, at, length };
    const position = dataset.positions.get(record.entry.url);
    if (position === undefined) {
      dataset.positions.set(record.entry.url, dataset.entries.length);
      dataset.entries.push(indexed);
    } else {
      dataset.entries[position] = indexed;
    }
    dataset.version = ++versions;
  }

  /**
   * Applies the records of `chunk` (whole lines, read from log offset `base`); false when the log
   * is of another version or unreadable.
   */
  private parse(chunk: Buffer, base: number): boolean {
    for (let start = 0; start < chunk.length;) {
      let end = chunk.indexOf(0x0a, start);
      if (end < 0) end = chunk.length;
      let record: unknown;
      try {
        record = JSON.parse(chunk.toString('utf8', start, end));
      } catch {
        return false;
      }
      if (base + start === 0) {
        const header = record as Partial<typeof HEADER>;
        if (header.index !== HEADER.index || header.version !== HEADER.version) return false;
        this.usable = true;
        this.lines = 1;
      } else if (this.usable) {
        this.apply(record as IndexRecord, base + start, end - start);
      } else {
        return false;
      }
      start = end + 1;
    }
    return true;
  }

  /**
   * Writes a snapshot when this process committed records since the last one (a writer closing:
   * its readers then load every record it wrote from the snapshot instead of parsing the tail):
   * after many records, or whenever the experiment is small enough for that to be cheap (a tag
   * edit of one item of a million-item experiment does not re-encode it). A cache: failures are
   * ignored.
   */
  async flushSnapshot(): Promise<void> {
    if (!this.committedSinceSnapshot || this.sinceSnapshot === 0) return;
    if (this.sinceSnapshot < SNAPSHOT_EVERY && this.liveEntries() > SNAPSHOT_CHEAP_ROWS) return;
    await this.writeSnapshot().catch(() => undefined);
  }

  /** Closes the log the snapshot entries read from (the store is closing). */
  close(): void {
    this.reader?.close();
    this.reader = undefined;
    this.snapshot?.close();
    this.snapshot = undefined;
  }

  /**
   * Loads the snapshot when it reflects this version of the log (same inode, the bytes before its
   * offset unchanged): datasets with lazy entries, reading resumes at its offset. Anything else
   * leaves the index empty, to be parsed from the start.
   */
  private async loadSnapshot(handle: FileHandle, ino: number, size: number): Promise<void> {
    const snapshot = openSnapshot(this.snapshotFile);
    if (snapshot === undefined) return;
    const usable =
      snapshot.log.ino === ino &&
      snapshot.log.offset <= size &&
      snapshot.log.offset > 0 &&
      (await readTail(handle, snapshot.log.offset)).toString('base64') === snapshot.log.tail;
    const reader = usable ? LogReader.of(this.file, ino) : undefined;
    if (reader === undefined) {
      snapshot.close();
      return;
    }
    this.reader = reader;
    this.snapshot = snapshot;
    for (const { key, head, sig, columns } of snapshot.datasets)
      this.datasets.set(key, new IndexedDataset(head, reader.rows(columns), ++versions, sig, columns));
    this.usable = true;
    this.consumed = snapshot.log.offset;
    this.lines = snapshot.log.lines;
    this.sinceSnapshot = 0;
  }

  /** True when enough records came after the snapshot to write a new one. */
  private snapshotDue(): boolean {
    if (!this.usable || this.sinceSnapshot === 0) return false;
    return this.sinceSnapshot >= Math.max(SNAPSHOT_EVERY, this.liveEntries() / 8);
  }

  /** Entries of every dataset (without building any). */
  private liveEntries(): number {
    let live = 0;
    for (const dataset of this.datasets.values()) live += dataset.size;
    return live;
  }

  /**
   * Writes a snapshot of memory at the current log position (atomically; a cache, so failures
   * are the caller's to ignore). Skipped when an entry's record is not in the log.
   */
  private async writeSnapshot(): Promise<void> {
    if (!this.usable || this.ino === undefined || this.consumed === 0) return;
    const ino = this.ino;
    const offset = this.consumed;
    const lines = this.lines;
    const datasets = [...this.datasets].map(([key, dataset]) => ({ key, dataset }));
    for (const { dataset } of datasets) if (dataset.built && dataset.entries.some((e) => e.at < 0)) return;
    const handle = await open(this.file, 'r');
    let tail: Buffer;
    try {
      if ((await handle.stat()).ino !== ino) return;
      tail = await readTail(handle, offset);
    } finally {
      await handle.close();
    }
    const data = encodeSnapshot(
      { ino, offset, lines, tail: tail.toString('base64') },
      datasets.map(({ key, dataset }) => ({
        key,
        head: dataset.head,
        ...(dataset.sig !== undefined && { sig: dataset.sig }),
        count: dataset.size,
        row: (i: number) => {
          const built = dataset.builtEntryAt(i);
          return built === undefined ? (dataset.columns as SnapshotColumns).row(i) : snapshotRow(built);
        },
      })),
    );
    this.sinceSnapshot = 0;
    this.committedSinceSnapshot = false;
    this.adopt(data, ino);
    await writeFileAtomicStamped(this.snapshotFile, data, { fsync: false });
  }

  /**
   * Serves the entries from the snapshot just encoded (`data`, of log version `ino`) instead of
   * the documents memory holds: a writer importing a million items keeps the documents of the
   * records since its last snapshot only. Versions and url positions stay (nothing changed).
   */
  private adopt(data: Buffer, ino: number): void {
    const snapshot = decodeSnapshot(data);
    const reader = snapshot === undefined ? undefined : LogReader.of(this.file, ino);
    if (snapshot === undefined || reader === undefined) return;
    for (const { key, columns } of snapshot.datasets) {
      const dataset = this.datasets.get(key);
      if (dataset === undefined || dataset.size !== columns.count) continue;
      this.datasets.set(key, new IndexedDataset(dataset.head, reader.rows(columns), dataset.version, dataset.sig, columns, dataset.knownPositions));
    }
    this.reader = reader;
    this.snapshot = undefined; // the loaded one closes once no entry reads from it
  }

  /** Lets the current log reader go: its entries may still read through it; it closes once none refers to it. */
  private detachReader(): void {
    this.reader = undefined;
    this.snapshot = undefined;
  }

  private clear(): void {
    this.datasets.clear();
    this.usable = false;
    this.consumed = 0;
    this.ino = undefined;
    this.lines = 0;
    this.sinceSnapshot = Number.POSITIVE_INFINITY;
    this.detachReader();
  }
}

/** The last {@link SNAPSHOT_TAIL_BYTES} bytes of the log before `offset`. */
async function readTail(handle: FileHandle, offset: number): Promise<Buffer> {
  const start = Math.max(0, offset - SNAPSHOT_TAIL_BYTES);
  const tail = Buffer.alloc(offset - start);
  await handle.read(tail, 0, tail.length, start);
  return tail;
}

/** The data file url an entry's item file names (undefined when that file is missing), without reading an unread snapshot entry. */
export function entryDataUrl(indexed: IndexedEntry): string | undefined {
  if (indexed instanceof SnapshotEntry && !indexed.parsed) return indexed.present ? indexed.columns.dataUrl(indexed.row) : undefined;
  return indexed.doc?.common.url;
}

/**
 * Whether the snapshot columns an entry loaded from a snapshot is matched on (name, format, date,
 * data url, tags, presence) disagree with `doc`, the item file as it is now. False for an entry
 * not loaded from a snapshot.
 */
export function snapshotDiffers(indexed: IndexedEntry, doc: V1ItemDoc | null): boolean {
  if (!(indexed instanceof SnapshotEntry)) return false;
  const stored = indexed.columns.row(indexed.row);
  const actual = snapshotRow({ entry: indexed.entry, doc, present: doc !== null, at: stored.at, length: stored.length });
  const sameTags = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  return (
    stored.present !== actual.present ||
    stored.processed !== actual.processed ||
    stored.name !== actual.name ||
    stored.format !== actual.format ||
    stored.date !== actual.date ||
    stored.dataUrl !== actual.dataUrl ||
    !sameTags(stored.tags, actual.tags)
  );
}

/** What a snapshot records of an entry: from its snapshot columns while unread, else from its document. */
function snapshotRow(indexed: IndexedEntry): SnapshotRow {
  if (indexed instanceof SnapshotEntry && !indexed.parsed) return indexed.columns.row(indexed.row);
  const { entry, doc } = indexed;
  return {
    uuid: entry.uuid,
    url: entry.url,
    present: doc !== null,
    processed: doc?.origin.type === 'processed',
    at: indexed.at,
    length: indexed.length,
    name: doc?.common.name ?? '',
    format: doc?.common.format ?? '',
    date: doc?.common.date ?? '',
    dataUrl: doc?.common.url ?? '',
    tags: doc === null ? {} : ownTags(doc),
  };
}
