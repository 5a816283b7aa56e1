import type { FormatMetadata } from '../model/data-item.js';
import { DEFAULT_LENGTH_UNIT, physicalSize } from './physical-units.js';
import type { PixelDtype } from './pixel-dtype.js';

/** The `Pixels` element of the first `Image` of an OME-XML document. */
export interface OmePixels {
  readonly sizeX: number;
  readonly sizeY: number;
  readonly sizeZ: number;
  readonly sizeC: number;
  readonly sizeT: number;
  /** `XYZCT` and its five permutations; X fastest. */
  readonly dimensionOrder: string;
  /** OME pixel type (`uint16`, `float`, `double`, ...). */
  readonly type: string | undefined;
  readonly physicalSize: NonNullable<FormatMetadata['physicalSize']>;
  /** Number of `Image` elements (series) in the document. */
  readonly imageCount: number;
}

const PIXELS = /<(?:[\w.-]+:)?Pixels\b([^>]*)>/;
const IMAGE = /<(?:[\w.-]+:)?Image\b[\s>]/g;
const ATTRIBUTE = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** True when an ImageDescription holds OME-XML. */
export function isOmeXml(description: string): boolean {
  return description.includes('<OME') || /<[\w.-]+:OME\b/.test(description);
}

/**
 * Extracts the first `Pixels` element's sizes, order, type and physical sizes from OME-XML with a
 * small attribute scanner (no XML dependency). Returns undefined when there is no `Pixels`
 * element or its sizes are not positive integers.
 */
export function parseOmePixels(xml: string): OmePixels | undefined {
  const match = PIXELS.exec(xml);
  if (!match) return undefined;
  const attrs = attributes(match[1] ?? '');
  const size = (name: string): number => {
    const v = Number(attrs[name] ?? '1');
    return Number.isInteger(v) && v > 0 ? v : 0;
  };
  const [sizeX, sizeY, sizeZ, sizeC, sizeT] = [size('SizeX'), size('SizeY'), size('SizeZ'), size('SizeC'), size('SizeT')];
  const dimensionOrder = (attrs['DimensionOrder'] ?? 'XYZCT').toUpperCase();
  if (!sizeX || !sizeY || !sizeZ || !sizeC || !sizeT || !/^XY(?:ZCT|ZTC|CZT|CTZ|TZC|TCZ)$/.test(dimensionOrder)) return undefined;
  const length = (axis: 'X' | 'Y' | 'Z') => physicalSize(num(attrs[`PhysicalSize${axis}`]), attrs[`PhysicalSize${axis}Unit`], DEFAULT_LENGTH_UNIT);
  const sizes: Record<string, ReturnType<typeof physicalSize>> = {
    x: length('X'),
    y: length('Y'),
    z: length('Z'),
    t: physicalSize(num(attrs['TimeIncrement']), attrs['TimeIncrementUnit'], 's'),
  };
  const physical = Object.fromEntries(Object.entries(sizes).filter(([, v]) => v !== undefined));
  return {
    sizeX,
    sizeY,
    sizeZ,
    sizeC,
    sizeT,
    dimensionOrder,
    type: attrs['Type'],
    physicalSize: physical,
    imageCount: Math.max(1, xml.match(IMAGE)?.length ?? 0),
  };
}

/** What {@link buildOmeXml} describes: one image whose planes are the TIFF pages in order. */
export interface OmeImage {
  readonly shape: readonly number[];
  /** Letters from `TCZYXS`, ending in `YX` or `YXS`. */
  readonly axes: string;
  readonly dtype: PixelDtype;
  readonly physicalSize?: FormatMetadata['physicalSize'];
  readonly name?: string;
  readonly description?: string;
}

const OME_TYPES: Readonly<Record<PixelDtype, string>> = {
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  float32: 'float',
  float64: 'double',
};

/**
 * OME-XML (2016-06 schema) for one image. DimensionOrder follows `axes` (the leading axes
 * reversed, missing ones appended), so pages in C order over the leading axes are the planes.
 */
export function buildOmeXml(image: OmeImage): string {
  const { shape, axes } = image;
  const sizeOf = (letter: string): number => (axes.includes(letter) ? shape[axes.indexOf(letter)]! : 1);
  const samples = sizeOf('S');
  const leading = axes.slice(0, axes.indexOf('Y')).split('').reverse().join('');
  const dimensionOrder = 'XY' + leading + ['Z', 'C', 'T'].filter((l) => !leading.includes(l)).join('');
  const channels = sizeOf('C');
  const planes = sizeOf('Z') * channels * sizeOf('T');
  const ps = image.physicalSize ?? {};
  const optional: string[] = [];
  for (const axis of ['x', 'y', 'z'] as const) {
    const p = ps[axis];
    if (p) optional.push(`PhysicalSize${axis.toUpperCase()}="${p.value}" PhysicalSize${axis.toUpperCase()}Unit="${escapeXml(p.unit)}"`);
  }
  if (ps.t) optional.push(`TimeIncrement="${ps.t.value}" TimeIncrementUnit="${escapeXml(ps.t.unit)}"`);
  const channelXml = Array.from({ length: channels }, (_, c) => `<Channel ID="Channel:0:${c}" SamplesPerPixel="${samples}"/>`).join('');
  const description = image.description ? `<Description>${escapeXml(image.description)}</Description>` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:schemaLocation="http://www.openmicroscopy.org/Schemas/OME/2016-06 http://www.openmicroscopy.org/Schemas/OME/2016-06/ome.xsd" ' +
    'Creator="BioImageIT">' +
    `<Image ID="Image:0" Name="${escapeXml(image.name ?? 'Image0')}">${description}` +
    `<Pixels ID="Pixels:0" DimensionOrder="${dimensionOrder}" Type="${OME_TYPES[image.dtype]}" ` +
    `SizeX="${sizeOf('X')}" SizeY="${sizeOf('Y')}" SizeZ="${sizeOf('Z')}" SizeC="${channels * samples}" SizeT="${sizeOf('T')}" ` +
    `${optional.length > 0 ? optional.join(' ') + ' ' : ''}Interleaved="${samples > 1}" BigEndian="false">` +
    `${channelXml}<TiffData IFD="0" PlaneCount="${planes}"/></Pixels></Image></OME>`
  );
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(ATTRIBUTE)) out[m[1]!] = unescapeXml(m[2] ?? m[3] ?? '');
  return out;
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#')) {
      const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e] ?? '';
  });
}
