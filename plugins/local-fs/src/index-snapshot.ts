import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StorageError } from '@bioimageit/core';
import { HeldFile } from './held-file.js';
import type { FileSignature } from './file-signature.js';

/**
 * The index snapshot: a binary, column-wise picture of the item index log up to one byte offset
 * of one version (inode) of the log, so that a new process opens a large experiment without
 * parsing every record. Per dataset it holds each entry's url and uuid, where its latest record
 * lies in the log (to parse that one record when the item is needed) and what a query reads
 * (name, format, date, own tags), dictionary-encoded where values repeat.
 *
 * Layout (little-endian): 8 bytes magic `BIITSNP1`, a u32 header length, the header (JSON: log
 * position, datasets with their head, signature, dictionaries and section places, counted from
 * the first section), then 8-byte aligned sections. A string column is a u32 array of end offsets (count + 1) and a UTF-8 blob;
 * a coded column a u32 array of dictionary codes (0: no value, else the dictionary index + 1).
 * It is a cache of a cache: anything that does not decode, or does not match the log, is ignored.
 */
const MAGIC = 'BIITSNP1';
const FORMAT_VERSION = 1;
/** Bytes of the log before the snapshot's offset kept to recognise that log version. */
export const SNAPSHOT_TAIL_BYTES = 64;

/** The log position a snapshot reflects. */
export interface SnapshotLogPosition {
  readonly ino: number;
  /** Bytes of the log the snapshot reflects (a record boundary). */
  readonly offset: number;
  /** Records (lines, header included) up to `offset`. */
  readonly lines: number;
  /** The last {@link SNAPSHOT_TAIL_BYTES} bytes before `offset`, base64. */
  readonly tail: string;
}

/** What a snapshot records of one entry (what a writer supplies; what a reader decodes lazily). */
export interface SnapshotRow {
  readonly uuid: string;
  readonly url: string;
  /** False for an entry whose item file was missing (doc null). */
  readonly present: boolean;
  readonly processed: boolean;
  /** Byte offset and length (without the newline) of the entry's latest `item` record in the log. */
  readonly at: number;
  readonly length: number;
  readonly name: string;
  readonly format: string;
  readonly date: string;
  /** The item's data file url as its item file states it. */
  readonly dataUrl: string;
  /** The item's own tags. */
  readonly tags: Readonly<Record<string, string>>;
}

/** One dataset to write into a snapshot. */
export interface SnapshotDatasetInput {
  readonly key: string;
  readonly head: Readonly<Record<string, unknown>>;
  readonly sig?: FileSignature;
  readonly count: number;
  row(index: number): SnapshotRow;
}

type Place = readonly [offset: number, length: number];

interface DatasetHeader {
  readonly key: string;
  readonly head: Record<string, unknown>;
  readonly sig?: FileSignature;
  readonly count: number;
  readonly tagKeys: string[];
  readonly formats: string[];
  readonly dates: string[];
  readonly tagValues: string[][];
  readonly sections: Record<string, Place>;
}

interface Header {
  readonly version: number;
  readonly log: SnapshotLogPosition;
  readonly datasets: DatasetHeader[];
}

/**
 * Where a snapshot's sections are read from: the bytes in memory (a snapshot just encoded), or
 * the snapshot file itself, a section at a time when a column is first used (a count over a
 * million items reads the header only). `read` takes offsets counted from the first section.
 */
interface SectionSource {
  /** Bytes from the first section to the end. */
  readonly size: number;
  read(offset: number, length: number): Buffer;
}

class BufferSource implements SectionSource {
  constructor(private readonly buffer: Buffer) {}

  get size(): number {
    return this.buffer.length;
  }

  read(offset: number, length: number): Buffer {
    return this.buffer.subarray(offset, offset + length);
  }
}

/** The snapshot file held open (a snapshot renamed over it later does not change what this one reads). */
class FileSource extends HeldFile implements SectionSource {
  constructor(
    file: string,
    fd: number,
    private readonly base: number,
    readonly size: number,
  ) {
    super(file, fd);
  }

  read(offset: number, length: number): Buffer {
    // A fresh ArrayBuffer: typed views need the 8-byte alignment the sections have in the file.
    const buffer = Buffer.from(new ArrayBuffer(length));
    try {
      this.assertOpen();
      for (let done = 0; done < length;) {
        const n = readSync(this.fd, buffer, done, length - done, this.base + offset + done);
        if (n === 0) throw new Error(`it ends ${length - done} bytes early`);
        done += n;
      }
    } catch (cause) {
      throw new StorageError('CORRUPT', `cannot read the index snapshot ${this.file}: ${(cause as Error).message}; delete it (a cache) to rebuild it`, {
        cause,
        details: { file: this.file },
      });
    }
    return buffer;
  }
}

/** A string column: end offsets and a UTF-8 blob, each read when first needed. */
class StringColumn {
  private ends: Uint32Array | undefined;
  private blob: Buffer | undefined;

  constructor(
    private readonly source: SectionSource,
    private readonly sections: Record<string, Place>,
    private readonly name: string,
  ) {}

  get(row: number): string {
    const ends = (this.ends ??= view(this.source, this.sections, `${this.name}.ends`, Uint32Array, 4));
    const blob = (this.blob ??= bytes(this.source, this.sections, `${this.name}.blob`));
    return blob.toString('utf8', ends[row] as number, ends[row + 1] as number);
  }
}

/** The columns of one dataset; each is read from its source when first used, rows on demand. */
export class SnapshotColumns {
  private readonly uuids: StringColumn;
  private readonly urls: StringColumn;
  private readonly names: StringColumn;
  private readonly dataUrls: StringColumn;
  private flagsColumn: Uint8Array | undefined;
  private atsColumn: Float64Array | undefined;
  private lengthsColumn: Uint32Array | undefined;
  private formatColumn: Uint32Array | undefined;
  private dateColumn: Uint32Array | undefined;
  private readonly tagColumns: (Uint32Array | undefined)[];

  constructor(
    private readonly header: DatasetHeader,
    private readonly source: SectionSource,
  ) {
    const strings = (name: string) => new StringColumn(source, header.sections, name);
    this.uuids = strings('uuid');
    this.urls = strings('url');
    this.names = strings('name');
    this.dataUrls = strings('dataUrl');
    this.tagColumns = header.tagKeys.map(() => undefined);
  }

  private get flags(): Uint8Array {
    return (this.flagsColumn ??= bytes(this.source, this.header.sections, 'flags'));
  }

  private get ats(): Float64Array {
    return (this.atsColumn ??= view(this.source, this.header.sections, 'at', Float64Array, 8));
  }

  private get lengths(): Uint32Array {
    return (this.lengthsColumn ??= view(this.source, this.header.sections, 'length', Uint32Array, 4));
  }

  private get formatCodes(): Uint32Array {
    return (this.formatColumn ??= view(this.source, this.header.sections, 'format', Uint32Array, 4));
  }

  private get dateCodes(): Uint32Array {
    return (this.dateColumn ??= view(this.source, this.header.sections, 'date', Uint32Array, 4));
  }

  private tagCodes(k: number): Uint32Array {
    return (this.tagColumns[k] ??= view(this.source, this.header.sections, `tag${k}`, Uint32Array, 4));
  }

  get count(): number {
    return this.header.count;
  }

  uuid(row: number): string {
    return this.uuids.get(row);
  }

  url(row: number): string {
    return this.urls.get(row);
  }

  /** How many rows have their item file (present). */
  presentCount(): number {
    let n = 0;
    for (let i = 0; i < this.flags.length; i++) n += (this.flags[i] as number) & 1;
    return n;
  }

  present(row: number): boolean {
    return ((this.flags[row] as number) & 1) !== 0;
  }

  processed(row: number): boolean {
    return ((this.flags[row] as number) & 2) !== 0;
  }

  at(row: number): number {
    return this.ats[row] as number;
  }

  length(row: number): number {
    return this.lengths[row] as number;
  }

  name(row: number): string {
    return this.names.get(row);
  }

  dataUrl(row: number): string {
    return this.dataUrls.get(row);
  }

  format(row: number): string {
    return this.header.formats[(this.formatCodes[row] as number) - 1] ?? '';
  }

  date(row: number): string {
    return this.header.dates[(this.dateCodes[row] as number) - 1] ?? '';
  }

  /** The own tags of a row, as a fresh object. */
  tags(row: number): Record<string, string> {
    const tags: Record<string, string> = {};
    const { tagKeys, tagValues } = this.header;
    for (let k = 0; k < tagKeys.length; k++) {
      const code = this.tagCodes(k)[row] as number;
      if (code !== 0) tags[tagKeys[k] as string] = (tagValues[k] as string[])[code - 1] as string;
    }
    return tags;
  }

  /**
   * For tag keys `keys`: a function giving each row a number that is equal for two rows exactly
   * when they hold the same values of those keys (mixed-radix over the dictionary codes), or
   * undefined when the numbers would exceed 2^53.
   */
  tagTupleCode(keys: readonly string[]): ((row: number) => number) | undefined {
    const columns: { codes: Uint32Array; radix: number }[] = [];
    let span = 1;
    for (const key of keys) {
      const k = this.header.tagKeys.indexOf(key);
      if (k < 0) continue; // no row has it: the same (absent) value everywhere
      const radix = (this.header.tagValues[k] as string[]).length + 1;
      span *= radix;
      columns.push({ codes: this.tagCodes(k), radix });
    }
    if (span > Number.MAX_SAFE_INTEGER) return undefined;
    return (row) => {
      let code = 0;
      for (const { codes, radix } of columns) code = code * radix + (codes[row] as number);
      return code;
    };
  }

  row(index: number): SnapshotRow {
    return {
      uuid: this.uuid(index),
      url: this.url(index),
      present: this.present(index),
      processed: this.processed(index),
      at: this.at(index),
      length: this.length(index),
      name: this.name(index),
      format: this.format(index),
      date: this.date(index),
      dataUrl: this.dataUrl(index),
      tags: this.tags(index),
    };
  }
}

/** A decoded snapshot: the log position and, per dataset, its head, signature and columns. */
export interface DecodedSnapshot {
  readonly log: SnapshotLogPosition;
  readonly datasets: readonly {
    readonly key: string;
    readonly head: Record<string, unknown>;
    readonly sig?: FileSignature;
    readonly columns: SnapshotColumns;
  }[];
}

/** Decodes a snapshot file's bytes; undefined when they are not a snapshot of this version. */
export function decodeSnapshot(data: Buffer): DecodedSnapshot | undefined {
  try {
    if (data.length < 12 || data.toString('latin1', 0, 8) !== MAGIC) return undefined;
    const headerLength = data.readUInt32LE(8);
    if (12 + headerLength > data.length) return undefined;
    const header = parseHeader(data.toString('utf8', 12, 12 + headerLength));
    // Typed views need aligned offsets: sections are aligned within the file, so the buffer must be too.
    const aligned = data.byteOffset % 8 === 0 ? data : Buffer.from(data);
    return header === undefined ? undefined : decoded(header, new BufferSource(aligned.subarray(sectionBase(headerLength))));
  } catch {
    return undefined;
  }
}

/**
 * Opens the snapshot file `file`: reads and checks its header (every section within the file,
 * sized for its rows) and leaves the columns in the file, each read when first used. Undefined
 * when there is no such file or it is not a snapshot of this version; {@link OpenedSnapshot.close}
 * closes the file (else it closes once nothing refers to its columns).
 */
export function openSnapshot(file: string): OpenedSnapshot | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const prefix = Buffer.alloc(12);
    if (size < 12 || readSync(fd, prefix, 0, 12, 0) !== 12 || prefix.toString('latin1', 0, 8) !== MAGIC) throw new Error('not a snapshot');
    const headerLength = prefix.readUInt32LE(8);
    if (12 + headerLength > size) throw new Error('cut short');
    const text = Buffer.alloc(headerLength);
    if (readSync(fd, text, 0, headerLength, 12) !== headerLength) throw new Error('cut short');
    const header = parseHeader(text.toString('utf8'));
    const base = sectionBase(headerLength);
    if (header === undefined || base > size) throw new Error('not a snapshot of this version');
    const source = new FileSource(file, fd, base, size - base);
    const snapshot = decoded(header, source);
    if (snapshot === undefined) {
      source.close();
      return undefined;
    }
    return { ...snapshot, close: () => source.close() };
  } catch {
    try {
      closeSync(fd);
    } catch {
      // closed by the source already
    }
    return undefined;
  }
}

/** A snapshot read from its file (see {@link openSnapshot}). */
export interface OpenedSnapshot extends DecodedSnapshot {
  close(): void;
}

function parseHeader(text: string): Header | undefined {
  const header = JSON.parse(text) as Header;
  return header.version === FORMAT_VERSION && Array.isArray(header.datasets) ? header : undefined;
}

/** The datasets of `header` over `source`, or undefined when a section it names is missing, out of range or mis-sized. */
function decoded(header: Header, source: SectionSource): DecodedSnapshot | undefined {
  for (const dataset of header.datasets) if (!sectionsFit(dataset, source.size)) return undefined;
  return {
    log: header.log,
    datasets: header.datasets.map((d) => ({
      key: d.key,
      head: d.head,
      ...(d.sig !== undefined && { sig: d.sig }),
      columns: new SnapshotColumns(d, source),
    })),
  };
}

/** Whether every section of `dataset` lies within `size` bytes, aligned, with the length its row count asks. */
function sectionsFit(dataset: DatasetHeader, size: number): boolean {
  const { count, sections } = dataset;
  if (!Number.isInteger(count) || count < 0 || typeof sections !== 'object' || sections === null) return false;
  const fits = (name: string, width: number, rows: number | undefined): boolean => {
    const place = sections[name];
    if (!Array.isArray(place)) return false;
    const [offset, length] = place;
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) return false;
    return offset % width === 0 && (rows === undefined || length === rows * width);
  };
  const strings = ['uuid', 'url', 'name', 'dataUrl'].every((name) => fits(`${name}.ends`, 4, count + 1) && fits(`${name}.blob`, 1, undefined));
  const fixed = fits('flags', 1, count) && fits('at', 8, count) && fits('length', 4, count) && fits('format', 4, count) && fits('date', 4, count);
  return strings && fixed && (dataset.tagKeys ?? []).every((_, k) => fits(`tag${k}`, 4, count));
}

/** Encodes a snapshot of `datasets` at log position `log`. */
export function encodeSnapshot(log: SnapshotLogPosition, datasets: readonly SnapshotDatasetInput[]): Buffer {
  const sections: Buffer[] = [];
  let size = 0;
  const add = (place: Record<string, Place>, name: string, data: ArrayBufferView): void => {
    const padded = Math.ceil(data.byteLength / 8) * 8;
    place[name] = [size, data.byteLength];
    sections.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    if (padded > data.byteLength) sections.push(Buffer.alloc(padded - data.byteLength));
    size += padded;
  };
  const headers: DatasetHeader[] = [];
  for (const dataset of datasets) {
    const count = dataset.count;
    const place: Record<string, Place> = {};
    const strings = { uuid: [] as string[], url: [] as string[], name: [] as string[], dataUrl: [] as string[] };
    const flags = new Uint8Array(count);
    const ats = new Float64Array(count);
    const lengths = new Uint32Array(count);
    const formats = new Dictionary();
    const dates = new Dictionary();
    const formatCodes = new Uint32Array(count);
    const dateCodes = new Uint32Array(count);
    const tagKeys: string[] = [];
    const tagDicts: Dictionary[] = [];
    const tagCodes: Uint32Array[] = [];
    for (let i = 0; i < count; i++) {
      const row = dataset.row(i);
      strings.uuid.push(row.uuid);
      strings.url.push(row.url);
      strings.name.push(row.name);
      strings.dataUrl.push(row.dataUrl);
      flags[i] = (row.present ? 1 : 0) | (row.processed ? 2 : 0);
      ats[i] = row.at;
      lengths[i] = row.length;
      formatCodes[i] = formats.code(row.format);
      dateCodes[i] = dates.code(row.date);
      for (const key of Object.keys(row.tags)) {
        let k = tagKeys.indexOf(key);
        if (k < 0) {
          k = tagKeys.push(key) - 1;
          tagDicts.push(new Dictionary());
          tagCodes.push(new Uint32Array(count));
        }
        (tagCodes[k] as Uint32Array)[i] = (tagDicts[k] as Dictionary).code(row.tags[key] as string);
      }
    }
    for (const [name, values] of Object.entries(strings)) {
      const blobs = values.map((v) => Buffer.from(v, 'utf8'));
      const ends = new Uint32Array(count + 1);
      let end = 0;
      blobs.forEach((b, i) => {
        end += b.length;
        ends[i + 1] = end;
      });
      add(place, `${name}.ends`, ends);
      add(place, `${name}.blob`, Buffer.concat(blobs, end));
    }
    add(place, 'flags', flags);
    add(place, 'at', ats);
    add(place, 'length', lengths);
    add(place, 'format', formatCodes);
    add(place, 'date', dateCodes);
    tagCodes.forEach((codes, k) => add(place, `tag${k}`, codes));
    headers.push({
      key: dataset.key,
      head: { ...dataset.head },
      ...(dataset.sig !== undefined && { sig: dataset.sig }),
      count,
      tagKeys,
      formats: formats.values,
      dates: dates.values,
      tagValues: tagDicts.map((d) => d.values),
      sections: place,
    });
  }
  const header = Buffer.from(JSON.stringify({ version: FORMAT_VERSION, log, datasets: headers } satisfies Header), 'utf8');
  const prefix = Buffer.alloc(sectionBase(header.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, 8);
  header.copy(prefix, 12);
  return Buffer.concat([prefix, ...sections]);
}

/** Where the sections start (8-byte aligned after the header); section offsets count from there. */
function sectionBase(headerLength: number): number {
  return Math.ceil((12 + headerLength) / 8) * 8;
}

class Dictionary {
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();

  code(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }
}

function bytes(source: SectionSource, sections: Record<string, Place>, name: string): Buffer {
  const place = sections[name];
  if (place === undefined) throw new Error(`missing section ${name}`);
  const [offset, length] = place;
  return source.read(offset, length);
}

function view<T extends Uint32Array | Float64Array>(
  source: SectionSource,
  sections: Record<string, Place>,
  name: string,
  Kind: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T },
  size: number,
): T {
  const b = bytes(source, sections, name);
  return new Kind(b.buffer, b.byteOffset, b.length / size);
}
