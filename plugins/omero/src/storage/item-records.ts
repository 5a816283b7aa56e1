import type { FormatMetadata, ProcessedOrigin, Tags } from '@bioimageit/core';
import type { OmeroImage, WebAnnotation } from './omero-model.js';
import type { Pairs } from './omero-repository.js';

/** Pairs as a plain record (first value of a duplicated key wins). */
export function pairsToRecord(pairs: Pairs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs ?? []) if (!(k in out)) out[k] = v;
  return out;
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** The experiment record kept on a Project (`NS_EXPERIMENT`). */
export interface ExperimentRecord {
  readonly author: string;
  readonly date: string;
  /** Tag keys in order (OMERO tags on the Project are the visible mirror). */
  readonly keys: readonly string[];
}

/** Pairs of the experiment record MapAnnotation. */
export function experimentPairs(r: ExperimentRecord): Pairs {
  return [
    ['author', r.author],
    ['date', r.date],
    ['keys', JSON.stringify(r.keys)],
    ['written by', 'BioImageIT'],
  ];
}

/** The experiment record read back from its pairs (fields absent when not recorded). */
export function experimentRecord(pairs: Pairs | undefined): Partial<ExperimentRecord> {
  const r = pairsToRecord(pairs);
  return {
    ...(r['author'] !== undefined && { author: r['author'] }),
    ...(r['date'] !== undefined && { date: r['date'] }),
    ...(r['keys'] !== undefined && { keys: parseJson<string[]>(r['keys'], []) }),
  };
}

/** The item record kept on an Image we imported (`NS_ITEM`); images imported elsewhere have none. */
export interface ItemRecord {
  readonly format?: string;
  readonly author?: string;
  readonly date?: string;
  readonly size?: number;
  readonly sha256?: string;
  readonly metadata?: FormatMetadata;
  readonly thumbnail?: string;
}

/** Pairs of an item record MapAnnotation (absent fields are left out). */
export function itemPairs(r: ItemRecord): Pairs {
  const out: [string, string][] = [];
  if (r.format !== undefined) out.push(['format', r.format]);
  if (r.author !== undefined) out.push(['author', r.author]);
  if (r.date !== undefined) out.push(['date', r.date]);
  if (r.size !== undefined) out.push(['size', String(r.size)]);
  if (r.sha256 !== undefined) out.push(['sha256', r.sha256]);
  if (r.metadata !== undefined && Object.keys(r.metadata).length > 0) out.push(['metadata', JSON.stringify(r.metadata)]);
  if (r.thumbnail !== undefined) out.push(['thumbnail', r.thumbnail]);
  return out;
}

/** An item record read back from its pairs (unparsable metadata becomes `{}`). */
export function itemRecord(pairs: Pairs | undefined): ItemRecord {
  const r = pairsToRecord(pairs);
  return {
    ...(r['format'] !== undefined && { format: r['format'] }),
    ...(r['author'] !== undefined && { author: r['author'] }),
    ...(r['date'] !== undefined && { date: r['date'] }),
    ...(r['size'] !== undefined && { size: Number(r['size']) }),
    ...(r['sha256'] !== undefined && { sha256: r['sha256'] }),
    ...(r['metadata'] !== undefined && { metadata: parseJson<FormatMetadata>(r['metadata'], {}) }),
    ...(r['thumbnail'] !== undefined && { thumbnail: r['thumbnail'] }),
  };
}

/** What OMERO itself says about an image: shape, pixel type and physical sizes. */
export function imageMetadata(image: OmeroImage): FormatMetadata {
  const p = image.Pixels;
  if (p === undefined) return {};
  const dims: [string, number | undefined][] = [
    ['T', p.SizeT],
    ['C', p.SizeC],
    ['Z', p.SizeZ],
    ['Y', p.SizeY],
    ['X', p.SizeX],
  ];
  const known = dims.filter((d): d is [string, number] => typeof d[1] === 'number');
  const size = (l: { Value: number; Symbol?: string } | undefined) => (l === undefined ? undefined : { value: l.Value, unit: l.Symbol ?? 'µm' });
  const physical = Object.fromEntries(
    Object.entries({ x: size(p.PhysicalSizeX), y: size(p.PhysicalSizeY), z: size(p.PhysicalSizeZ) }).filter(([, v]) => v !== undefined),
  );
  return {
    ...(known.length > 0 && { shape: known.map((d) => d[1]), axes: known.map((d) => d[0]).join('') }),
    ...(p.Type?.value !== undefined && { dtype: p.Type.value }),
    ...(Object.keys(physical).length > 0 && { physicalSize: physical }),
  };
}

/** The processed item record (`NS_OUTPUT`), on its processed Dataset and on each source Image. */
export interface OutputRecord {
  readonly fileAnnotation: number;
  readonly name: string;
  readonly format: string;
  readonly author: string;
  readonly date: string;
  readonly size?: number;
  readonly sha256?: string;
  readonly metadata: FormatMetadata;
  /** The item's own tags (its processed ancestors' own tags folded in). */
  readonly ownTags: Tags;
  readonly origin: ProcessedOrigin;
  /** Raw Image whose tags the item inherits. */
  readonly rootImage?: number;
  readonly thumbnail?: string;
  /** Readable provenance shown in OMERO.web (tool, version, run). */
  readonly tool?: string;
}

/** Pairs of an output record: readable provenance first (output, file, run, tool), then the JSON fields. */
export function outputPairs(r: OutputRecord): Pairs {
  const out: [string, string][] = [
    ['output', r.name],
    ['file annotation', String(r.fileAnnotation)],
    ['run', r.origin.run.id],
    ...(r.tool !== undefined ? [['tool', r.tool] as [string, string]] : []),
    ['format', r.format],
    ['author', r.author],
    ['date', r.date],
  ];
  if (r.size !== undefined) out.push(['size', String(r.size)]);
  if (r.sha256 !== undefined) out.push(['sha256', r.sha256]);
  out.push(['metadata', JSON.stringify(r.metadata)], ['tags', JSON.stringify(r.ownTags)], ['origin', JSON.stringify(r.origin)]);
  if (r.rootImage !== undefined) out.push(['root image', String(r.rootImage)]);
  if (r.thumbnail !== undefined) out.push(['thumbnail', r.thumbnail]);
  return out;
}

/** An output record read back from its MapAnnotation; undefined when it lacks the file, name or origin. */
export function outputRecord(a: WebAnnotation): OutputRecord | undefined {
  const r = pairsToRecord(a.values);
  const origin = parseJson<ProcessedOrigin | undefined>(r['origin'], undefined);
  if (r['file annotation'] === undefined || r['output'] === undefined || origin === undefined) return undefined;
  return {
    fileAnnotation: Number(r['file annotation']),
    name: r['output'],
    format: r['format'] ?? 'unknown',
    author: r['author'] ?? '',
    date: r['date'] ?? '',
    ...(r['size'] !== undefined && { size: Number(r['size']) }),
    ...(r['sha256'] !== undefined && { sha256: r['sha256'] }),
    metadata: parseJson<FormatMetadata>(r['metadata'], {}),
    ownTags: parseJson<Tags>(r['tags'], {}),
    origin,
    ...(r['root image'] !== undefined && { rootImage: Number(r['root image']) }),
    ...(r['thumbnail'] !== undefined && { thumbnail: r['thumbnail'] }),
    ...(r['tool'] !== undefined && { tool: r['tool'] }),
  };
}

/** Id of a raw item: `image-<Image id>` (processed items are `file-<FileAnnotation id>`). */
export function rawItemId(imageId: number): string {
  return `image-${imageId}`;
}

/** Id of a processed item: `file-<FileAnnotation id>`. */
export function processedItemId(fileAnnotation: number): string {
  return `file-${fileAnnotation}`;
}

/** The OMERO object behind an item id, or undefined when the id is not one of ours. */
export function parseItemId(id: string): { kind: 'image' | 'file'; id: number } | undefined {
  const m = /^(image|file)-(\d+)$/.exec(id);
  return m ? { kind: m[1] as 'image' | 'file', id: Number(m[2]) } : undefined;
}

/** Date `YYYY-MM-DD` of an image's acquisition (UTC), or '' when unknown. */
export function acquisitionDay(image: OmeroImage): string {
  return image.AcquisitionDate === undefined ? '' : new Date(image.AcquisitionDate).toISOString().slice(0, 10);
}
