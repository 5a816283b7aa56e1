import type { ChannelMetadata, FormatMetadata } from '../model/data-item.js';
import { colorFromOme, colorToOme } from './channel-color.js';
import { DEFAULT_LENGTH_UNIT, DEFAULT_WAVELENGTH_UNIT, physicalSize } from './physical-units.js';
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
  /**
   * The `Channel` elements of the `Pixels` element, in order (at most SizeC of them), present only
   * when at least one has a name, colour or wavelength.
   */
  readonly channels?: readonly ChannelMetadata[];
}

/** True when an ImageDescription holds OME-XML. */
export function isOmeXml(description: string): boolean {
  return description.includes('<OME') || /<[\w.-]+:OME\b/.test(description);
}

/**
 * Extracts the first `Pixels` element's sizes, order, type, physical sizes, time increment and
 * channels (name, colour, excitation and emission wavelengths) from OME-XML with a small
 * single-pass tag and attribute scanner (no XML dependency, no backtracking regex: linear in the
 * length of `xml` whatever it holds). Returns undefined when there is no `Pixels` element or its
 * sizes are not positive integers.
 */
export function parseOmePixels(xml: string): OmePixels | undefined {
  const { pixels: attrs, channels: channelTags, imageCount } = scanOmeTags(xml);
  if (!attrs) return undefined;
  const size = (name: string): number => {
    const v = Number(attrs.get(name) ?? '1');
    return Number.isInteger(v) && v > 0 ? v : 0;
  };
  const [sizeX, sizeY, sizeZ, sizeC, sizeT] = [size('SizeX'), size('SizeY'), size('SizeZ'), size('SizeC'), size('SizeT')];
  const dimensionOrder = (attrs.get('DimensionOrder') ?? 'XYZCT').toUpperCase();
  if (!sizeX || !sizeY || !sizeZ || !sizeC || !sizeT || !/^XY(?:ZCT|ZTC|CZT|CTZ|TZC|TCZ)$/.test(dimensionOrder)) return undefined;
  const length = (axis: 'X' | 'Y' | 'Z') => physicalSize(num(attrs.get(`PhysicalSize${axis}`)), attrs.get(`PhysicalSize${axis}Unit`), DEFAULT_LENGTH_UNIT);
  const sizes: Record<string, ReturnType<typeof physicalSize>> = {
    x: length('X'),
    y: length('Y'),
    z: length('Z'),
    t: physicalSize(num(attrs.get('TimeIncrement')), attrs.get('TimeIncrementUnit'), 's'),
  };
  const physical = Object.fromEntries(Object.entries(sizes).filter(([, v]) => v !== undefined));
  const channels = channelTags.slice(0, sizeC).map(omeChannel);
  return {
    sizeX,
    sizeY,
    sizeZ,
    sizeC,
    sizeT,
    dimensionOrder,
    type: attrs.get('Type'),
    physicalSize: physical,
    imageCount: Math.max(1, imageCount),
    ...(channels.some((c) => Object.keys(c).length > 0) && { channels }),
  };
}

/** What a `Channel` element's attributes say; wavelengths default to nm as in the OME schema. */
function omeChannel(attrs: ReadonlyMap<string, string>): ChannelMetadata {
  const name = attrs.get('Name');
  const color = colorFromOme(attrs.get('Color'));
  const wavelength = (kind: 'Excitation' | 'Emission') =>
    physicalSize(num(attrs.get(`${kind}Wavelength`)), attrs.get(`${kind}WavelengthUnit`), DEFAULT_WAVELENGTH_UNIT);
  const excitation = wavelength('Excitation');
  const emission = wavelength('Emission');
  return {
    ...(name !== undefined && name !== '' && { name }),
    ...(color !== undefined && { color }),
    ...(excitation !== undefined && { excitation }),
    ...(emission !== undefined && { emission }),
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
  /**
   * Written as the `Channel` elements (one per C position; with `S`, each channel holds the
   * samples): name, colour (`#rrggbb`, written with alpha 255), wavelengths. Entries past the
   * number of channels are ignored.
   */
  readonly channels?: readonly ChannelMetadata[];
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
  const channelXml = Array.from({ length: channels }, (_, c) => channelElement(c, samples, image.channels?.[c])).join('');
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

/** One OME `Channel` element (`<Channel .../>`) with its attributes escaped. */
function channelElement(index: number, samples: number, channel: ChannelMetadata | undefined): string {
  const attrs = [`ID="Channel:0:${index}"`];
  if (channel?.name !== undefined) attrs.push(`Name="${escapeXml(channel.name)}"`);
  attrs.push(`SamplesPerPixel="${samples}"`);
  if (channel?.color !== undefined) attrs.push(`Color="${colorToOme(channel.color)}"`);
  for (const [kind, w] of [
    ['Excitation', channel?.excitation],
    ['Emission', channel?.emission],
  ] as const) {
    if (w) attrs.push(`${kind}Wavelength="${w.value}" ${kind}WavelengthUnit="${escapeXml(w.unit)}"`);
  }
  return `<Channel ${attrs.join(' ')}/>`;
}

/** What {@link scanOmeTags} collects. */
interface OmeTags {
  /** Attributes of the first `Pixels` start tag. */
  readonly pixels: Map<string, string> | undefined;
  /** Attributes of the `Channel` start tags inside that `Pixels` element (at most its SizeC). */
  readonly channels: Map<string, string>[];
  readonly imageCount: number;
}

/**
 * One pass over the tags of `xml`: counts `Image` start tags, reads the attributes of the first
 * `Pixels` tag and of the `Channel` tags inside it, up to `</Pixels>`, `</Image>` or the next
 * `<Image` (namespace prefixes ignored). Every character is looked at a bounded number of times,
 * and no more Channel tags are kept than the Pixels' SizeC (itself capped at {@link MAX_CHANNELS}).
 */
function scanOmeTags(xml: string): OmeTags {
  let pixels: Map<string, string> | undefined;
  const channels: Map<string, string>[] = [];
  let maxChannels = 0;
  let inPixels = false;
  let imageCount = 0;
  let at = xml.indexOf('<');
  while (at !== -1) {
    const closing = xml.charCodeAt(at + 1) === SLASH;
    const nameStart = closing ? at + 2 : at + 1;
    const nameEnd = skipWhile(xml, nameStart, isNameChar);
    let next = nameEnd;
    if (nameEnd === xml.length || endsTagName(xml.charCodeAt(nameEnd))) {
      const name = xml.slice(nameStart, nameEnd);
      const local = name.slice(name.lastIndexOf(':') + 1);
      if (closing) {
        if (local === 'Pixels' || local === 'Image') inPixels = false;
      } else if (local === 'Image') {
        imageCount++;
        inPixels = false;
      } else if (local === 'Pixels' && !pixels) {
        ({ attributes: pixels, end: next } = scanAttributes(xml, nameEnd));
        inPixels = xml.charCodeAt(next - 1) === GT && xml.charCodeAt(next - 2) !== SLASH;
        const sizeC = Number(pixels.get('SizeC') ?? '1');
        maxChannels = Number.isInteger(sizeC) && sizeC > 0 ? Math.min(sizeC, MAX_CHANNELS) : 0;
      } else if (local === 'Channel' && inPixels && channels.length < maxChannels) {
        const scanned = scanAttributes(xml, nameEnd);
        channels.push(scanned.attributes);
        next = scanned.end;
      }
    }
    at = xml.indexOf('<', Math.max(next, at + 1));
  }
  return { pixels, channels, imageCount };
}

/** No more channels than this are read from one OME Pixels element. */
const MAX_CHANNELS = 4096;

/**
 * Reads `name="value"` / `name='value'` pairs from `from` up to the `>` or `<` that ends the tag
 * (outside quotes); names without a value and stray characters are skipped. Returns the attributes
 * (entities decoded, the last of repeated names winning) and where scanning stopped.
 */
function scanAttributes(xml: string, from: number): { attributes: Map<string, string>; end: number } {
  const attributes = new Map<string, string>();
  const n = xml.length;
  let i = from;
  while (i < n) {
    const c = xml.charCodeAt(i);
    if (c === GT || c === LT) return { attributes, end: c === GT ? i + 1 : i };
    if (!isNameChar(c)) {
      i++;
      continue;
    }
    const start = i;
    i = skipWhile(xml, i, isNameChar);
    const name = xml.slice(start, i);
    i = skipWhile(xml, i, isSpace);
    if (xml.charCodeAt(i) !== EQ) continue;
    i = skipWhile(xml, i + 1, isSpace);
    const quote = xml.charCodeAt(i);
    if (quote !== DQUOTE && quote !== SQUOTE) continue;
    const close = xml.indexOf(xml[i]!, i + 1);
    if (close === -1) return { attributes, end: n };
    attributes.set(name, unescapeXml(xml.slice(i + 1, close)));
    i = close + 1;
  }
  return { attributes, end: n };
}

const [LT, GT, EQ, DQUOTE, SQUOTE, SLASH] = ['<', '>', '=', '"', "'", '/'].map((ch) => ch.charCodeAt(0)) as [number, number, number, number, number, number];

function skipWhile(text: string, from: number, test: (code: number) => boolean): number {
  let i = from;
  while (i < text.length && test(text.charCodeAt(i))) i++;
  return i;
}

/** `[A-Za-z0-9_.:-]`, the characters of (prefixed) tag and attribute names. */
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 95 || c === 46 || c === 45;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function endsTagName(c: number): boolean {
  return isSpace(c) || c === GT || c === SLASH;
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
