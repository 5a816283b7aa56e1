import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PixelArray } from '../extension-points/format-codec.js';
import { formatCsv } from '../formats/csv.js';
import { ioFailure } from '../formats/format-failure.js';
import { JpegCodec } from '../formats/jpeg-codec.js';
import { PngCodec } from '../formats/png-codec.js';
import { writeTiff } from '../formats/tiff-writer.js';
import type { ChannelMetadata, FormatMetadata, PhysicalSize } from '../model/data-item.js';
import { seededRandom } from '../util/bytes.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** One generated OME-TIFF: a field of view of one well. */
export interface SyntheticPlateImage {
  /** Absolute path. */
  readonly path: string;
  /** File name, `plate1_A01_f1.ome.tif`. */
  readonly name: string;
  /** Well, `A01`. */
  readonly well: string;
  /** Field number as written in the name, `1`. */
  readonly field: string;
  /** How many nuclei the DAPI channel holds (the same at every time point): the ground truth of object counting. */
  readonly nuclei: number;
  /** `[z, c, y, x]`, or `[t, z, c, y, x]` with several time points. */
  readonly shape: readonly number[];
  /** `ZCYX`, or `TZCYX` with several time points. */
  readonly axes: string;
  readonly dtype: 'uint16';
  /** DAPI, GFP, Cy5 with their colours, in C order. */
  readonly channels: readonly ChannelMetadata[];
  /** x, y (0.1625 µm), z (0.5 µm), and t when a time increment was asked for. */
  readonly physicalSize: NonNullable<FormatMetadata['physicalSize']>;
  readonly timeIncrement?: PhysicalSize;
}

/** One generated PNG or JPEG (overviews and a brightfield image; no tags in their names beyond plate and well). */
export interface SyntheticPlateExtra {
  readonly path: string;
  readonly name: string;
  /** Format id: `imagepng` or `imagejpeg`. */
  readonly format: 'imagepng' | 'imagejpeg';
  /** `[y, x]` (grey) or `[y, x, 3]` (RGB). */
  readonly shape: readonly number[];
  /** `YX` or `YXS`. */
  readonly axes: string;
  readonly dtype: 'uint8' | 'uint16';
  /** What it shows, e.g. `8-bit grey PNG`. */
  readonly description: string;
}

/** What {@link writeSyntheticPlate} wrote. */
export interface SyntheticPlateManifest {
  /** The folder everything was written to. */
  readonly folder: string;
  /** The OME-TIFFs, well by well, field by field. */
  readonly images: readonly SyntheticPlateImage[];
  /** The PNG and JPEG files. */
  readonly extras: readonly SyntheticPlateExtra[];
  /** The plate layout CSV: its path, header and rows (as written, strings). */
  readonly layout: { readonly path: string; readonly name: string; readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[] };
  /** Nuclei of all fields of each well (one time point), by well. */
  readonly nucleiPerWell: Readonly<Record<string, number>>;
}

/** What to generate; every field has a default. */
export interface SyntheticPlateOptions {
  /** Wells (default A01, A02, B01, B02). */
  readonly wells?: readonly string[];
  /** Fields of view per well (default 2). */
  readonly fields?: number;
  /** `[z, y, x]` of each stack (default `[6, 96, 120]`); z of at least 3, y and x of at least 48. */
  readonly shape?: readonly [number, number, number];
  /** Time points (default 1: axes ZCYX; more: TZCYX, the same nuclei at every time point). */
  readonly timePoints?: number;
  /** Time between time points, written as OME TimeIncrement (default: none written). */
  readonly timeIncrement?: PhysicalSize;
  /** Plate name, the first part of every file name (default `plate1`). */
  readonly plate?: string;
  /** Seed of the pseudo-random generator (default 21): same options, same bytes. */
  readonly seed?: number;
}

/** The channels of every stack. */
export const SYNTHETIC_PLATE_CHANNELS: readonly ChannelMetadata[] = Object.freeze([
  { name: 'DAPI', color: '#0000ff' },
  { name: 'GFP', color: '#00ff00' },
  { name: 'Cy5', color: '#ff00ff' },
]);

/** Nuclei sit in the cells of a grid (one per cell at most), so they never touch. */
const GRID_ROWS = 3;
const GRID_COLUMNS = 4;
const DAPI_BACKGROUND = 150;
const DAPI_NOISE = 100;
const NUCLEUS = 1200;

/** A nucleus: an ellipsoid (centre and radii in pixels). */
interface Nucleus {
  readonly z: number;
  readonly y: number;
  readonly x: number;
  readonly rz: number;
  readonly rxy: number;
}

function placeNuclei(random: () => number, count: number, [depth, height, width]: readonly [number, number, number]): Nucleus[] {
  const cells = Array.from({ length: GRID_ROWS * GRID_COLUMNS }, (_, i) => i);
  for (let i = cells.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [cells[i], cells[j]] = [cells[j]!, cells[i]!];
  }
  const cellH = height / GRID_ROWS;
  const cellW = width / GRID_COLUMNS;
  const size = Math.min(cellH, cellW);
  return cells.slice(0, count).map((cell) => ({
    y: (Math.floor(cell / GRID_COLUMNS) + 0.5) * cellH + (random() - 0.5) * size * 0.15,
    x: ((cell % GRID_COLUMNS) + 0.5) * cellW + (random() - 0.5) * size * 0.15,
    z: (depth - 1) / 2 + (random() - 0.5) * 0.6,
    rxy: size * (0.17 + random() * 0.06),
    rz: Math.max(1.5, depth * (0.25 + random() * 0.1)),
  }));
}

/**
 * Renders one time point of a 3-channel stack into `data` (axes ZCYX from `offset`): DAPI holds the
 * nuclei (bright textured ellipsoids on a dark noisy background); GFP a bright left-to-right
 * gradient with a ring of cytoplasm around each nucleus (brighter than any DAPI pixel, so one
 * threshold over all channels finds no nuclei); Cy5 a striped background with many small spots.
 */
function renderStack(
  random: () => number,
  nuclei: readonly Nucleus[],
  [depth, height, width]: readonly [number, number, number],
  data: Uint16Array,
  offset: number,
) {
  const plane = height * width;
  const spots = Array.from({ length: 30 }, () => ({ z: Math.floor(random() * depth), y: random() * height, x: random() * width }));
  // Per plane: 2 inside a nucleus, 1 in the ring around one, 0 elsewhere; and the Cy5 spots.
  const kind = new Uint8Array(plane);
  const spot = new Uint8Array(plane);
  const box = (cy: number, cx: number, r: number, mark: (i: number, d2: number) => void) => {
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(height - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(width - 1, Math.ceil(cx + r)); x++) mark(y * width + x, (y - cy) ** 2 + (x - cx) ** 2);
    }
  };
  for (let z = 0; z < depth; z++) {
    kind.fill(0);
    spot.fill(0);
    for (const n of nuclei) {
      const dz = (z - n.z) / n.rz;
      box(n.y, n.x, n.rxy * Math.sqrt(2.6), (i, d2) => {
        const r2 = d2 / n.rxy ** 2;
        if (dz * dz + r2 <= 1) kind[i] = 2;
        else if (Math.abs(dz) <= 1.5 && r2 <= 2.6 && kind[i] === 0) kind[i] = 1;
      });
    }
    for (const s of spots) if (s.z === z) box(s.y, s.x, 2, (i, d2) => void (d2 <= 2.5 && (spot[i] = 1)));
    const dapi = offset + (z * 3 + 0) * plane;
    const gfp = offset + (z * 3 + 1) * plane;
    const cy5 = offset + (z * 3 + 2) * plane;
    for (let y = 0, i = 0; y < height; y++) {
      const stripe = Math.floor(y / 8) % 2 === 0 ? 300 : 0;
      for (let x = 0; x < width; x++, i++) {
        const k = kind[i]!;
        data[dapi + i] = Math.round(DAPI_BACKGROUND + (random() - 0.5) * DAPI_NOISE + (k === 2 ? NUCLEUS + (random() - 0.5) * 200 : 0));
        data[gfp + i] = Math.round(2500 + (1500 * x) / width + (random() - 0.5) * 300 + (k === 1 ? 1200 : 0));
        data[cy5 + i] = Math.round(400 + stripe + (random() - 0.5) * 160 + (spot[i] === 1 ? 2500 : 0));
      }
    }
  }
}

/** `count` samples from a function of (y, x), `samples` per pixel. */
function planeOf<T extends Uint8Array | Uint16Array>(
  make: (n: number) => T,
  height: number,
  width: number,
  samples: number,
  value: (y: number, x: number, s: number) => number,
): T {
  const out = make(height * width * samples);
  for (let y = 0, i = 0; y < height; y++) for (let x = 0; x < width; x++) for (let s = 0; s < samples; s++, i++) out[i] = value(y, x, s);
  return out;
}

/**
 * Writes a synthetic high-content-screening plate into `folder` (created if needed) and resolves to
 * its manifest. The contract other tests rely on:
 *
 * - `<plate>_<well>_f<field>.ome.tif` (`plate1_A01_f1.ome.tif`, …; wells A01, A02, B01, B02 × 2
 *   fields by default; the tag regex `(?<Plate>plate\d+)_(?<Well>[A-Z]\d+)_f(?<Field>\d+)` reads
 *   them): uint16 OME-TIFF stacks, axes `ZCYX` (`TZCYX` with `timePoints` > 1), default shape
 *   6 × 3 × 96 × 120, channels DAPI (#0000ff), GFP (#00ff00), Cy5 (#ff00ff) as OME `Channel`
 *   names and colours, physical size 0.1625 µm in X and Y and 0.5 µm in Z, TimeIncrement when
 *   `timeIncrement` is given.
 * - DAPI holds `nuclei` well-separated bright ellipsoids (3 to 10 per field, varying between fields
 *   and wells; about +1200 over a background of 150 ± 50), which blur (sigma ≤ 1.5) → Otsu on the
 *   DAPI channel alone → connected components (any connectivity, at least 20 voxels) count
 *   exactly. GFP (2500–4000 with rings around the nuclei) is brighter than DAPI everywhere and Cy5
 *   holds small spots and stripes, so thresholding all channels together, or counting GFP or Cy5,
 *   gives other answers.
 * - `<plate>_A01_overview.png` (8-bit grey, `YX`), `<plate>_A01_overview_rgb.png` (8-bit RGB,
 *   `YXS`), `<plate>_A01_overview16.png` (16-bit grey, `YX`) and `<plate>_A01_brightfield.jpg`
 *   (8-bit RGB JPEG, `YXS`), all of the stacks' Y × X size and without a field in their names.
 * - `plate-layout.csv`: `well,row,column,condition,compound,concentration_um,fields,nuclei`, one row
 *   per well (conditions control / treated alternate by column).
 *
 * The same options write the same bytes (a seeded mulberry32 generator; JPEG encoding is
 * deterministic too). Throws RangeError for a shape too small to hold the nuclei grid.
 */
export async function writeSyntheticPlate(folder: string, options: SyntheticPlateOptions = {}): Promise<SyntheticPlateManifest> {
  const wells = options.wells ?? ['A01', 'A02', 'B01', 'B02'];
  const fields = options.fields ?? 2;
  const shape = options.shape ?? [6, 96, 120];
  const timePoints = options.timePoints ?? 1;
  const plate = options.plate ?? 'plate1';
  const [depth, height, width] = shape;
  if (depth < 3 || height < 48 || width < 48) throw new RangeError(`synthetic plate stacks need at least 3×48×48 pixels, got ${shape.join('×')}`);
  if (!Number.isInteger(timePoints) || timePoints < 1) throw new RangeError(`timePoints must be a whole number of at least 1, got ${timePoints}`);
  const random = seededRandom(options.seed ?? 21);
  await mkdir(folder, { recursive: true });
  const physicalSize = {
    x: { value: 0.1625, unit: 'µm' },
    y: { value: 0.1625, unit: 'µm' },
    z: { value: 0.5, unit: 'µm' },
    ...(options.timeIncrement && { t: options.timeIncrement }),
  };
  const axes = timePoints > 1 ? 'TZCYX' : 'ZCYX';
  const fullShape = timePoints > 1 ? [timePoints, depth, 3, height, width] : [depth, 3, height, width];
  const images: SyntheticPlateImage[] = [];
  const nucleiPerWell: Record<string, number> = {};
  let firstDapi: Uint16Array | undefined;
  for (const well of wells) {
    nucleiPerWell[well] = 0;
    for (let f = 1; f <= fields; f++) {
      const nuclei = 3 + Math.floor(random() * 8);
      const placed = placeNuclei(random, nuclei, shape);
      const volume = depth * 3 * height * width;
      const data = new Uint16Array(volume * timePoints);
      for (let t = 0; t < timePoints; t++) renderStack(random, placed, shape, data, t * volume);
      firstDapi ??= data;
      const name = `${plate}_${well}_f${f}.ome.tif`;
      const path = join(folder, name);
      const pixels: PixelArray = { data, shape: fullShape, dtype: 'uint16', axes, physicalSize };
      await writeTiff(path, pixels, { ome: true, channels: SYNTHETIC_PLATE_CHANNELS });
      images.push({
        path,
        name,
        well,
        field: String(f),
        nuclei,
        shape: fullShape,
        axes,
        dtype: 'uint16',
        channels: SYNTHETIC_PLATE_CHANNELS,
        physicalSize,
        ...(options.timeIncrement && { timeIncrement: options.timeIncrement }),
      });
      nucleiPerWell[well] += nuclei;
    }
  }

  // Overviews of the first stack: maximum projections of DAPI (grey) and of the three channels (RGB).
  const dapi = firstDapi!;
  const plane = height * width;
  const projection = (c: number) => {
    const out = new Uint16Array(plane);
    for (let z = 0; z < depth; z++) for (let i = 0; i < plane; i++) out[i] = Math.max(out[i]!, dapi[(z * 3 + c) * plane + i]!);
    return out;
  };
  const max = [0, 1, 2].map(projection);
  const peaks = max.map((m) => m.reduce((a, b) => Math.max(a, b), 1));
  const scale = (c: number, v: number) => Math.min(255, Math.round((v * 255) / peaks[c]!));
  const well0 = wells[0] ?? 'A01';
  const extras: SyntheticPlateExtra[] = [];
  const png = new PngCodec();
  const jpeg = new JpegCodec();
  const extra = async (name: string, format: SyntheticPlateExtra['format'], pixels: PixelArray, description: string) => {
    const path = join(folder, name);
    await (format === 'imagepng' ? png : jpeg).writePixels(path, pixels);
    extras.push({ path, name, format, shape: pixels.shape, axes: pixels.axes, dtype: pixels.dtype as 'uint8' | 'uint16', description });
  };
  await extra(
    `${plate}_${well0}_overview.png`,
    'imagepng',
    {
      data: planeOf(
        (n) => new Uint8Array(n),
        height,
        width,
        1,
        (y, x) => scale(0, max[0]![y * width + x]!),
      ),
      shape: [height, width],
      dtype: 'uint8',
      axes: 'YX',
    },
    '8-bit grey PNG',
  );
  const rgbOf = [2, 1, 0]; // red: Cy5, green: GFP, blue: DAPI
  await extra(
    `${plate}_${well0}_overview_rgb.png`,
    'imagepng',
    {
      data: planeOf(
        (n) => new Uint8Array(n),
        height,
        width,
        3,
        (y, x, s) => scale(rgbOf[s]!, max[rgbOf[s]!]![y * width + x]!),
      ),
      shape: [height, width, 3],
      dtype: 'uint8',
      axes: 'YXS',
    },
    '8-bit RGB PNG',
  );
  await extra(
    `${plate}_${well0}_overview16.png`,
    'imagepng',
    {
      data: planeOf(
        (n) => new Uint16Array(n),
        height,
        width,
        1,
        (y, x) => max[0]![y * width + x]!,
      ),
      shape: [height, width],
      dtype: 'uint16',
      axes: 'YX',
    },
    '16-bit grey PNG',
  );
  const bright = planeOf(
    (n) => new Uint8Array(n),
    height,
    width,
    1,
    (y, x) => Math.round(180 + 30 * Math.sin(x / 9) * Math.cos(y / 11) - 60 * Math.min(1, max[0]![y * width + x]! / 1200)),
  );
  await extra(
    `${plate}_${well0}_brightfield.jpg`,
    'imagejpeg',
    {
      data: planeOf(
        (n) => new Uint8Array(n),
        height,
        width,
        3,
        (y, x) => bright[y * width + x]!,
      ),
      shape: [height, width, 3],
      dtype: 'uint8',
      axes: 'YXS',
    },
    '8-bit RGB JPEG (brightfield)',
  );

  const columns = ['well', 'row', 'column', 'condition', 'compound', 'concentration_um', 'fields', 'nuclei'];
  const rows = wells.map((well) => {
    const column = Number(well.slice(1));
    const treated = column % 2 === 0;
    return [
      well,
      well.slice(0, 1),
      String(column),
      treated ? 'treated' : 'control',
      treated ? 'nocodazole' : 'DMSO',
      treated ? '0.5' : '0',
      String(fields),
      String(nucleiPerWell[well]),
    ];
  });
  const layoutName = 'plate-layout.csv';
  const layoutPath = join(folder, layoutName);
  await writeFileAtomic(layoutPath, formatCsv([columns, ...rows]), { fsync: false }).catch((error: unknown) => {
    throw ioFailure(layoutPath, 'write file', error);
  });
  return { folder, images, extras, layout: { path: layoutPath, name: layoutName, columns, rows }, nucleiPerWell };
}
