import type { ChannelMetadata, FormatMetadata, PhysicalSize } from '../model/data-item.js';
import { isHexColor } from './channel-color.js';
import { isImageJDescription, parseImageJDescription } from './imagej-description.js';
import { imageJLutColors } from './imagej-luts.js';
import { isOmeXml, parseOmePixels } from './ome-xml.js';
import { physicalSize } from './physical-units.js';
import { dtypeFromTiff, shapeSize } from './pixel-dtype.js';
import { FileByteView, type ByteView } from './byte-view.js';
import { readTiffStructure, type TiffPage, type TiffStructure } from './tiff-structure.js';

type PhysicalSizes = NonNullable<FormatMetadata['physicalSize']>;

/** Metadata of a TIFF file as stored on data items. */
export interface TiffMetadata extends FormatMetadata {
  readonly shape: readonly number[];
  /** `uint8` ... `float64`; other layouts get names such as `uint12` or `float16`. */
  readonly dtype: string;
  /** Letters from `TCZYXS`, slowest first; size-1 axes of OME and ImageJ files are dropped. */
  readonly axes: string;
  readonly ome: boolean;
  readonly imagej: boolean;
  readonly bigtiff: boolean;
  /** Pages in the main IFD chain. */
  readonly pages: number;
  /** Number of OME `Image` elements, present only when there are several (only the first is described). */
  readonly series?: number;
  /** Why the file was read otherwise than its description says (a description that cannot be true). */
  readonly warnings?: readonly string[];
}

/** Metadata plus the page index of every plane, in the C order of the leading axes. */
export interface TiffLayout {
  readonly metadata: TiffMetadata;
  readonly planePages: readonly number[];
  /** The parsed header and IFD chain. */
  readonly structure: TiffStructure;
}

/**
 * Reads TIFF metadata from the header and IFDs only (no pixel decoding): OME-XML first, then an
 * ImageJ description, then a tifffile-style JSON `{"shape": ...}` description, else plain pages
 * (`YX`, or `ZYX` with one Z per same-sized page; `S` last for RGB). Besides shape, axes and dtype:
 * physical sizes, the time increment (`timeIncrement`, also `physicalSize.t`) and `channels`
 * (OME `Channel` names, colours and wavelengths; ImageJ LUT colours; the JSON description's
 * `channels`). Throws FormatError `CORRUPT` naming `path` when the file is not a readable TIFF.
 */
export function readTiffMetadata(bytes: Uint8Array, path: string): TiffMetadata {
  return readTiffLayout(bytes, path).metadata;
}

/**
 * {@link readTiffLayout} of a file on disk, reading only its header and directories (a few pages
 * of it, whatever its size). Throws FormatError `IO` or `CORRUPT` naming `path`.
 */
export function readTiffFileLayout(path: string): TiffLayout {
  const view = new FileByteView(path);
  try {
    return readTiffLayout(view, path);
  } finally {
    view.close();
  }
}

/**
 * Like {@link readTiffMetadata}, also saying which page holds each plane. Nothing is built in
 * proportion to a count a description declares: when an OME or ImageJ description declares more
 * planes than the file has pages, the description is kept only if the file is large enough to hold
 * those planes uncompressed (ImageJ's contiguous layout, or planes in companion files; reading
 * pixels then fails UNSUPPORTED); otherwise the description cannot be true and the file is read as
 * plain pages, with a line in `warnings`.
 */
export function readTiffLayout(bytes: Uint8Array | ByteView, path: string): TiffLayout {
  const s = readTiffStructure(bytes, path);
  const fileLength = bytes instanceof Uint8Array ? bytes.byteLength : bytes.length;
  const p = s.first;
  const description = p.description ?? '';
  const base = { dtype: dtypeFromTiff(p.bitsPerSample, p.sampleFormat), bigtiff: s.bigtiff, pages: s.pageCount };
  let kind: 'OME-XML' | 'ImageJ' | undefined;
  let layout: Layout | undefined;
  if (isOmeXml(description)) {
    layout = omeLayout(description, s);
    if (layout) kind = 'OME-XML';
  } else if (isImageJDescription(description)) {
    layout = imageJLayout(description, s);
    kind = 'ImageJ';
  }
  const warnings: string[] = [];
  if (kind && layout && !planesCanExist(layout.declaredPlanes, s, fileLength)) {
    warnings.push(
      `the ${kind} description declares ${layout.declaredPlanes} planes, but the file holds ${s.pageCount} pages and is too small ` +
        `(${fileLength} bytes) for the rest: read as plain pages`,
    );
    kind = undefined;
    layout = undefined;
  }
  if (!layout && description.startsWith('{')) layout = shapedLayout(description, s);
  layout ??= plainLayout(s);
  const time = layout.fields.physicalSize?.t;
  const metadata: TiffMetadata = {
    ...base,
    ...layout.fields,
    ...(time && { timeIncrement: time }),
    ome: kind === 'OME-XML',
    imagej: kind === 'ImageJ',
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  return { metadata, planePages: layout.planePages, structure: s };
}

interface Layout {
  readonly fields: { shape: number[]; axes: string; physicalSize?: PhysicalSizes; series?: number; channels?: readonly ChannelMetadata[] };
  /** Page indexes of the planes; for a description, at most one per page that exists. */
  readonly planePages: readonly number[];
  /** Planes the description declares (may exceed the pages). */
  readonly declaredPlanes: number;
}

/** True when the declared planes have pages, or would fit in the file stored uncompressed. */
function planesCanExist(planes: number, s: TiffStructure, fileLength: number): boolean {
  if (planes <= s.pageCount) return true;
  const p = s.first;
  const planeBytes = Math.ceil((p.width * p.samplesPerPixel * p.bitsPerSample) / 8) * p.height;
  return planes * planeBytes <= fileLength;
}

/** Page indexes `0 .. min(planes, pages) - 1`: never longer than the IFD chain. */
function describedPages(planes: number, s: TiffStructure): number[] {
  return sequence(Math.min(planes, s.pageCount));
}

function planeShape(p: TiffPage): { shape: number[]; axes: string } {
  return p.samplesPerPixel > 1 ? { shape: [p.height, p.width, p.samplesPerPixel], axes: 'YXS' } : { shape: [p.height, p.width], axes: 'YX' };
}

/** Leading axes with their sizes, dropping size-1 axes, then the plane axes. */
function withLeading(leading: ReadonlyArray<readonly [string, number]>, p: TiffPage): { shape: number[]; axes: string } {
  const plane = planeShape(p);
  const kept = leading.filter(([, n]) => n > 1);
  return { shape: [...kept.map(([, n]) => n), ...plane.shape], axes: kept.map(([a]) => a).join('') + plane.axes };
}

function sequence(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function omeLayout(xml: string, s: TiffStructure): Layout | undefined {
  const px = parseOmePixels(xml);
  if (!px) return undefined;
  const spp = s.first.samplesPerPixel;
  const sizes: Record<string, number> = { Z: px.sizeZ, C: px.sizeC % spp === 0 ? px.sizeC / spp : px.sizeC, T: px.sizeT };
  const leading = px.dimensionOrder
    .slice(2)
    .split('')
    .reverse()
    .map((a) => [a, sizes[a] ?? 1] as const);
  const { shape, axes } = withLeading(leading, s.first);
  const fields: Layout['fields'] = { shape, axes };
  if (Object.keys(px.physicalSize).length > 0) fields.physicalSize = px.physicalSize;
  if (px.imageCount > 1) fields.series = px.imageCount;
  if (px.channels) fields.channels = px.channels;
  const declaredPlanes = px.sizeZ * sizes['C']! * px.sizeT;
  return { fields, planePages: describedPages(declaredPlanes, s), declaredPlanes };
}

function imageJLayout(description: string, s: TiffStructure): Layout {
  const ij = parseImageJDescription(description);
  let { slices } = ij;
  const { channels, frames } = ij;
  if (channels * slices * frames === 1 && (ij.images ?? 1) > 1) slices = ij.images!;
  const fields: Layout['fields'] = withLeading(
    [
      ['T', frames],
      ['Z', slices],
      ['C', channels],
    ],
    s.first,
  );
  const lengths = ij.unit !== undefined && ij.unit !== '' && ij.unit !== 'pixel';
  const sizes: PhysicalSizes = {
    ...(lengths && entry('x', physicalSize(invert(s.first.xResolution), ij.unit, ij.unit))),
    ...(lengths && entry('y', physicalSize(invert(s.first.yResolution), ij.unit, ij.unit))),
    ...(lengths && entry('z', physicalSize(ij.spacing, ij.unit, ij.unit))),
    ...entry('t', physicalSize(ij.finterval, ij.tunit, 's')),
  };
  if (Object.keys(sizes).length > 0) fields.physicalSize = sizes;
  const luts = s.first.imagejMetadata ? imageJLutColors(s.first.imagejMetadata.byteCounts, s.first.imagejMetadata.data) : [];
  if (luts.length > 0) fields.channels = luts.slice(0, channels).map((color) => ({ color }));
  const declaredPlanes = channels * slices * frames;
  return { fields, planePages: describedPages(declaredPlanes, s), declaredPlanes };
}

function shapedLayout(description: string, s: TiffStructure): Layout | undefined {
  let json: unknown;
  try {
    json = JSON.parse(description);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { shape, axes, physicalSize: sizes, channels } = json as { shape?: unknown; axes?: unknown; physicalSize?: unknown; channels?: unknown };
  if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n > 0)) return undefined;
  const plane = planeShape(s.first);
  const lead = shape.length - plane.shape.length;
  if (lead < 0 || plane.shape.some((n, i) => shape[lead + i] !== n)) return undefined;
  const planes = shapeSize(shape.slice(0, lead) as number[]);
  if (planes > s.planePages.length) return undefined;
  let letters: string;
  if (typeof axes === 'string' && axes.length === shape.length && axes.endsWith(plane.axes) && isAxesString(axes)) letters = axes;
  else if (lead <= 3) letters = 'TCZ'.slice(3 - lead) + plane.axes;
  else return undefined;
  const fields: Layout['fields'] = { shape: shape as number[], axes: letters };
  const physical = validPhysicalSizes(sizes) ?? resolutionSizes(s.first);
  if (physical) fields.physicalSize = physical;
  const described = validChannels(channels);
  if (described) fields.channels = described;
  return { fields, planePages: s.planePages.slice(0, planes), declaredPlanes: planes };
}

function plainLayout(s: TiffStructure): Layout {
  const fields: Layout['fields'] = withLeading([['Z', s.planePages.length]], s.first);
  const physical = resolutionSizes(s.first);
  if (physical) fields.physicalSize = physical;
  return { fields, planePages: s.planePages, declaredPlanes: s.planePages.length };
}

/** X/Y sizes in µm from the resolution tags, only when ResolutionUnit explicitly says inch or cm. */
function resolutionSizes(p: TiffPage): PhysicalSizes | undefined {
  const perUnit = p.resolutionUnit === 3 ? 1e4 : p.resolutionUnit === 2 ? 25_400 : 0;
  if (!p.resolutionUnitGiven || perUnit === 0) return undefined;
  const sizes: PhysicalSizes = {
    ...entry('x', physicalSize(scaled(perUnit, p.xResolution), '\u00b5m', '\u00b5m')),
    ...entry('y', physicalSize(scaled(perUnit, p.yResolution), '\u00b5m', '\u00b5m')),
  };
  return Object.keys(sizes).length > 0 ? sizes : undefined;
}

function isAxesString(axes: string): boolean {
  return /^[TCZYXS]+$/.test(axes) && new Set(axes).size === axes.length;
}

function validPhysicalSizes(value: unknown): PhysicalSizes | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const out: Record<string, { value: number; unit: string }> = {};
  for (const axis of ['x', 'y', 'z', 't'] as const) {
    const v = (value as Record<string, unknown>)[axis] as { value?: unknown; unit?: unknown } | undefined;
    if (v && typeof v.value === 'number' && v.value > 0 && typeof v.unit === 'string') out[axis] = { value: v.value, unit: v.unit };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The well-formed entries of a JSON description's `channels` (at most 4096), or undefined when none. */
function validChannels(value: unknown): ChannelMetadata[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const out = value.slice(0, 4096).map((c: unknown): ChannelMetadata => {
    if (typeof c !== 'object' || c === null) return {};
    const { name, color, excitation, emission } = c as Record<string, unknown>;
    return {
      ...(typeof name === 'string' && name !== '' && { name }),
      ...(typeof color === 'string' && isHexColor(color) && { color: color.toLowerCase() }),
      ...entry('excitation', validQuantity(excitation)),
      ...entry('emission', validQuantity(emission)),
    };
  });
  return out.some((c) => Object.keys(c).length > 0) ? out : undefined;
}

function validQuantity(value: unknown): PhysicalSize | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { value: v, unit } = value as { value?: unknown; unit?: unknown };
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && typeof unit === 'string' ? { value: v, unit } : undefined;
}

function entry<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function invert(resolution: number | undefined): number | undefined {
  return resolution === undefined ? undefined : 1 / resolution;
}

function scaled(perUnit: number, resolution: number | undefined): number | undefined {
  return resolution === undefined ? undefined : perUnit / resolution;
}
