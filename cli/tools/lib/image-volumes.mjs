/**
 * Channels and time points of the images the bundled tools read: choosing one channel (by index
 * or by name) and one time point, reading only those planes, and splitting an image into its
 * (T, C) volumes — the Z stacks each tool processes independently (channels never mix).
 *
 * A selection never removes an axis: the channel (or time point) kept stays as a `C` (or `T`)
 * axis of size 1, so outputs keep the axes of their inputs (`ZCYX` in, `ZCYX` out) and the name and
 * colour of the channel they hold.
 */
import { readTiffFileLayout, readTiffPixels, writeTiff } from '@bioimageit/core/formats';
import { checkPlanes } from './pixel-planes.mjs';

/** The size of `axis` in an image (1 when the image lacks it). @param {{ readonly shape: readonly number[]; readonly axes: string }} image @param {string} axis */
export function axisSize(image, axis) {
  const at = image.axes.indexOf(axis);
  return at < 0 ? 1 : /** @type {number} */ (image.shape[at]);
}

/** `DAPI, GFP, Cy5` (unnamed channels as `#k`). @param {readonly { name?: string }[] | undefined} channels @param {number} count */
function channelList(channels, count) {
  return Array.from({ length: count }, (_, k) => channels?.[k]?.name ?? `#${k}`).join(', ');
}

/**
 * The index of the channel `spec` names in an image: a whole number is an index (0 first); other
 * text is a channel name, matched case-insensitively (surrounding spaces ignored) against the
 * names the file gives its channels. Throws an Error naming `path`, what was asked and the
 * channels the file has when nothing matches.
 * @param {string} spec
 * @param {{ readonly shape: readonly number[]; readonly axes: string; readonly channels?: readonly { name?: string }[] }} image
 * @param {string} path
 * @returns {number}
 */
export function resolveChannel(spec, image, path) {
  const count = axisSize(image, 'C');
  const names = image.channels?.length === count ? image.channels : undefined;
  const wanted = spec.trim();
  if (wanted === '') throw new Error(`${path}: empty channel name (give an index 0 to ${count - 1} or a channel name)`);
  if (/^\d+$/.test(wanted)) {
    const index = Number(wanted);
    if (index >= count) {
      throw new Error(`${path}: no channel ${index}: the file has ${count} channel(s) (${channelList(names, count)}), indexes 0 to ${count - 1}`);
    }
    return index;
  }
  const index = (names ?? []).findIndex((c) => typeof c.name === 'string' && c.name.trim().toLowerCase() === wanted.toLowerCase());
  if (index >= 0) return index;
  const has = names?.some((c) => typeof c.name === 'string')
    ? `the file's channels are ${channelList(names, count)}`
    : `the file names none of its ${count} channel(s)`;
  throw new Error(`${path}: no channel named '${wanted}': ${has} (or give an index 0 to ${count - 1})`);
}

/**
 * Reads an image (TIFF / OME-TIFF), or only one channel and/or one time point of it: `channel` is
 * an index or a name (see {@link resolveChannel}; empty: every channel), `t` a time point (0 first). Only the planes
 * selected are read. The result keeps the file's axes (a selected axis with size 1), its physical
 * sizes, and `channels`: the descriptions (name, colour, wavelengths) of the channels it holds,
 * when the file describes every channel.
 * @param {string} path
 * @param {{ channel?: string; t?: number }} [selection]
 * @returns {Promise<{ pixels: import('@bioimageit/core').PixelArray; channels: import('@bioimageit/core').ChannelMetadata[] | undefined; c: number | undefined; t: number | undefined }>}
 */
export async function readImage(path, selection = {}) {
  const meta = readTiffFileLayout(path).metadata;
  const axes = /** @type {string} */ (meta.axes);
  const shape = /** @type {readonly number[]} */ (meta.shape);
  const image = { axes, shape, ...(meta.channels !== undefined && { channels: meta.channels }) };
  checkPlanes(image);
  const count = axisSize(image, 'C');
  const c = selection.channel === undefined || selection.channel.trim() === '' ? undefined : resolveChannel(selection.channel, image, path);
  const t = selection.t;
  if (t !== undefined && (!Number.isInteger(t) || t < 0 || t >= axisSize(image, 'T'))) {
    const times = axisSize(image, 'T');
    throw new Error(`${path}: no time point ${t}: the file has ${times} (${times === 1 ? 'only 0' : `0 to ${times - 1}`})`);
  }
  /** @type {Partial<Record<'T' | 'C', number>>} */
  const select = {};
  if (c !== undefined && axes.includes('C')) select.C = c;
  if (t !== undefined && axes.includes('T')) select.T = t;
  const read = await readTiffPixels(path, Object.keys(select).length > 0 ? { select } : {});
  // A size-1 axis does not change the C-order layout, so the selected axes come back in place.
  const kept = shape.map((n, i) => (Object.hasOwn(select, /** @type {string} */ (axes[i])) ? 1 : n));
  if (kept.reduce((a, b) => a * b, 1) !== read.data.length) {
    throw new Error(`${path}: read ${read.data.length} samples, expected shape [${kept.join(', ')}] (axes '${axes}')`);
  }
  const pixels = { ...read, shape: kept, axes };
  const described = meta.channels !== undefined && meta.channels.length === count ? meta.channels : undefined;
  const channels =
    described === undefined ? undefined : c === undefined ? [...described] : [/** @type {import('@bioimageit/core').ChannelMetadata} */ (described[c])];
  return { pixels, channels, c, t };
}

/**
 * Writes an image as TIFF with its channel descriptions (one per position of its `C` axis, or one
 * when it has none), which readers get back as `channels`; descriptions that do not match the
 * image's channel count are left out.
 * @param {string} path
 * @param {import('@bioimageit/core').PixelArray} pixels
 * @param {readonly import('@bioimageit/core').ChannelMetadata[] | undefined} channels
 */
export async function writeImage(path, pixels, channels) {
  const fits = channels !== undefined && channels.length === axisSize(pixels, 'C');
  await writeTiff(path, pixels, fits ? { channels } : {});
}

/**
 * The (T, C) volumes of an image whose axes end in `YX`: for every time point and channel (T
 * slowest, then C), the indexes of its YX planes in Z order, planes being numbered in C order over
 * the leading axes. Images without T or C axes have one time point or channel (index 0).
 * @param {{ readonly shape: readonly number[]; readonly axes: string }} pixels
 * @returns {{ t: number; c: number; planes: number[] }[]}
 */
export function imageVolumes(pixels) {
  checkPlanes(pixels);
  const leading = pixels.axes.slice(0, -2);
  const sizes = pixels.shape.slice(0, -2);
  const planeCount = sizes.reduce((a, b) => a * b, 1);
  const times = axisSize(pixels, 'T');
  const channels = axisSize(pixels, 'C');
  /** @type {{ t: number; c: number; planes: number[] }[]} */
  const volumes = [];
  for (let t = 0; t < times; t++) for (let c = 0; c < channels; c++) volumes.push({ t, c, planes: [] });
  const index = new Array(leading.length).fill(0);
  for (let p = 0; p < planeCount; p++) {
    const at = (axis) => (leading.includes(axis) ? index[leading.indexOf(axis)] : 0);
    volumes[at('T') * channels + at('C')]?.planes.push(p);
    for (let k = leading.length - 1; k >= 0; k--) {
      index[k]++;
      if (index[k] < sizes[k]) break;
      index[k] = 0;
    }
  }
  return volumes;
}

/**
 * The samples of some planes laid end to end (a Z stack when `planes` comes from {@link imageVolumes}).
 * @param {import('@bioimageit/core').PixelArray['data']} data
 * @param {readonly number[]} planes
 * @param {number} planeSize
 */
export function gatherPlanes(data, planes, planeSize) {
  const out = new /** @type {any} */ (data.constructor)(planes.length * planeSize);
  planes.forEach((p, k) => out.set(data.subarray(p * planeSize, (p + 1) * planeSize), k * planeSize));
  return out;
}

/**
 * Puts back what {@link gatherPlanes} took: consecutive planes of `values` into `target` at `planes`.
 * @param {{ set(values: ArrayLike<number>, offset: number): void }} target
 * @param {readonly number[]} planes
 * @param {number} planeSize
 * @param {ArrayLike<number> & { subarray(begin: number, end: number): ArrayLike<number> }} values
 */
export function scatterPlanes(target, planes, planeSize, values) {
  planes.forEach((p, k) => target.set(values.subarray(k * planeSize, (k + 1) * planeSize), p * planeSize));
}

/**
 * How a volume is named in messages: `t=0 c=1 (GFP)`, leaving out a T or C the image lacks.
 * `fileChannel` is the channel's index in the file when the image holds one channel chosen from it.
 * @param {{ readonly axes: string }} pixels
 * @param {{ t: number; c: number }} volume
 * @param {readonly { name?: string }[] | undefined} channels the descriptions of the image's channels
 * @param {number} [fileChannel]
 */
export function volumeLabel(pixels, volume, channels, fileChannel) {
  const parts = [];
  if (pixels.axes.includes('T')) parts.push(`t=${volume.t}`);
  if (pixels.axes.includes('C')) parts.push(`c=${fileChannel ?? volume.c}`);
  const name = channels?.[volume.c]?.name;
  if (name !== undefined) parts.push(`(${name})`);
  return parts.join(' ');
}
