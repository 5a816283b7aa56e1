import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCsv, seededRandom, writeTiff } from '@bioimageit/core';

/** One generated image and what it holds. */
export interface SyntheticImage {
  /** Absolute path of the OME-TIFF file. */
  readonly path: string;
  /** Path below the plate folder, `plate1/A01/A01_population1_001.ome.tif`. */
  readonly relativePath: string;
  readonly well: string;
  readonly population: string;
  /** Image number as written in the name (`001`). */
  readonly number: string;
  /** How many bright blobs the image holds (the ground truth of object counting). */
  readonly blobs: number;
}

/** What to generate; every field has a default (4 wells × 2 populations × 5 images of 6×48×48). */
export interface SyntheticPlateOptions {
  readonly wells?: readonly string[];
  readonly populations?: readonly string[];
  readonly imagesPerPopulation?: number;
  /** Image size `[z, y, x]`; y and x of at least 24. */
  readonly shape?: readonly [number, number, number];
  /** Seed of the pseudo-random generator: the same seed writes the same files. */
  readonly seed?: number;
}

/** A blob: an ellipsoid (centre and radii in pixels) of constant brightness. */
interface Blob {
  readonly z: number;
  readonly y: number;
  readonly x: number;
  readonly rz: number;
  readonly rxy: number;
}

const BACKGROUND = 100;
const NOISE = 40;
const BRIGHTNESS = 900;
/** Blobs sit in the cells of a 3 × 3 grid, so they never touch (each cell holds at most one). */
const GRID = 3;

/** The seeded generator the demo data use (core's mulberry32). */
export { seededRandom };

/** `count` blobs in distinct cells of the grid, with jittered centres and sizes. */
function placeBlobs(random: () => number, count: number, [depth, height, width]: readonly [number, number, number]): Blob[] {
  const cells = Array.from({ length: GRID * GRID }, (_, i) => i);
  for (let i = cells.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [cells[i], cells[j]] = [cells[j] as number, cells[i] as number];
  }
  const cellH = height / GRID;
  const cellW = width / GRID;
  return cells.slice(0, count).map((cell) => ({
    y: (Math.floor(cell / GRID) + 0.5) * cellH + (random() - 0.5) * cellH * 0.2,
    x: ((cell % GRID) + 0.5) * cellW + (random() - 0.5) * cellW * 0.2,
    z: (depth - 1) / 2 + (random() - 0.5),
    rxy: Math.min(cellH, cellW) * (0.16 + random() * 0.09),
    rz: Math.max(1.2, depth * (0.2 + random() * 0.15)),
  }));
}

/**
 * Renders a uint16 `[z, y, x]` stack: uniform noise around a dark background, plus `count` bright
 * ellipsoidal blobs that never touch. Deterministic for a given `random` sequence.
 */
export function renderBlobStack(random: () => number, count: number, shape: readonly [number, number, number]): Uint16Array {
  if (count < 0 || count > GRID * GRID) throw new RangeError(`between 0 and ${GRID * GRID} blobs fit in an image, asked for ${count}`);
  const [depth, height, width] = shape;
  const blobs = placeBlobs(random, count, shape);
  const data = new Uint16Array(depth * height * width);
  let i = 0;
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i++) {
        const inside = blobs.some((b) => ((z - b.z) / b.rz) ** 2 + ((y - b.y) / b.rxy) ** 2 + ((x - b.x) / b.rxy) ** 2 <= 1);
        data[i] = Math.round(BACKGROUND + (random() - 0.5) * NOISE + (inside ? BRIGHTNESS : 0));
      }
    }
  }
  return data;
}

/**
 * Writes a synthetic plate below `folder` as `plate1/<well>/<well>_<population>_<nnn>.ome.tif`
 * (uint16 ZYX OME-TIFF stacks with physical pixel sizes), each image holding between 2 and 8
 * bright blobs on noise, and `expected-counts.csv` in `folder` (image, well, population, number,
 * blobs). Same options, same bytes. Resolves to the images written, in name order.
 */
export async function writeSyntheticPlate(folder: string, options: SyntheticPlateOptions = {}): Promise<SyntheticImage[]> {
  const wells = options.wells ?? ['A01', 'A02', 'B01', 'B02'];
  const populations = options.populations ?? ['population1', 'population2'];
  const perPopulation = options.imagesPerPopulation ?? 5;
  const shape = options.shape ?? [6, 48, 48];
  if (shape[1] < 24 || shape[2] < 24 || shape[0] < 1) throw new RangeError(`synthetic images need at least 1×24×24 pixels, got ${shape.join('×')}`);
  const random = seededRandom(options.seed ?? 2022);
  const images: SyntheticImage[] = [];
  for (const well of wells) {
    await mkdir(join(folder, 'plate1', well), { recursive: true });
    for (const population of populations) {
      for (let n = 1; n <= perPopulation; n++) {
        const number = String(n).padStart(3, '0');
        const relativePath = join('plate1', well, `${well}_${population}_${number}.ome.tif`);
        const blobs = 2 + Math.floor(random() * 7);
        const data = renderBlobStack(random, blobs, shape);
        const path = join(folder, relativePath);
        await writeTiff(
          path,
          {
            data,
            shape,
            dtype: 'uint16',
            axes: 'ZYX',
            physicalSize: { x: { value: 0.104, unit: 'µm' }, y: { value: 0.104, unit: 'µm' }, z: { value: 0.4, unit: 'µm' } },
          },
          { ome: true },
        );
        images.push({ path, relativePath, well, population, number, blobs });
      }
    }
  }
  const rows = [['image', 'well', 'population', 'number', 'blobs'], ...images.map((i) => [i.relativePath, i.well, i.population, i.number, String(i.blobs)])];
  await writeFile(join(folder, 'expected-counts.csv'), formatCsv(rows));
  return images;
}
