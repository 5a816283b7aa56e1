/**
 * Deep-learning models benchmark (`npm run bench:models`): for each test model of the model-zoo
 * plugin (built by Debian's python3-onnx: a 3-D conv net with a halo, a 2-D two-channel model of
 * fixed 64×64 input, a 2-D model with percentile scale-range preprocessing), in one run on this
 * machine (2 cores, ONNX Runtime on the CPU):
 *
 * - `bare`: ONNX Runtime alone over the same tiles the tiled run feeds it (the input already
 *   preprocessed, no statistics, no stitching, no post-processing);
 * - `whole`: `predict` with one tile where the model accepts any size;
 * - `tiled`: `predict` with tiles of at most 2^18 voxels (the halo overlap recomputed);
 * - and the overheads: tiled / bare (tiling and pre/post-processing over bare ONNX Runtime) and
 *   tiled / whole (what tiling alone costs).
 *
 * Throughput is input voxels per second (median of 3 runs). First, a large image: `predictImage`
 * runs the 2-D percentile model over every plane of a generated ZYX uint8 OME-TIFF of `--large`
 * GB (default 0.5; `--large 2` for a multi-GB one, about 4 minutes per GB here), reading and
 * writing plane by plane; the process's peak RSS (getrusage) is printed against the file size.
 * Needs Debian's python3 with numpy and python3-onnx to build the test models; skips with the
 * reason otherwise.
 *
 * Usage: npm run bench:models [-- --repeat 3] [-- --large 2]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createTiffPlaneWriter, readTiffFileLayout } from '@bioimageit/core/formats';
import {
  extract,
  makeTensor,
  openModelPackage,
  openOnnxSession,
  planTiles,
  predict,
  predictImage,
  type Box,
  type ModelPackage,
  type Tensor,
} from '@bioimageit/model-zoo';
import { buildTestModels } from '../../plugins/model-zoo/src/test-support/test-models.js';

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '3' }, large: { type: 'string', default: '0.5' } } });
const repeat = Math.max(1, Number(values.repeat));
const TILE_VOXELS = 1 << 18;

/** A deterministic image of `shape` (model axes, batch 1) with values in the model's usual range. */
function image(shape: readonly number[], dtype: 'float32' | 'uint8' | 'uint16', scale: number): Tensor {
  const t = makeTensor(dtype, shape);
  let s = 7;
  for (let i = 0; i < t.data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    (t.data as Float32Array | Uint8Array | Uint16Array)[i] = Math.round((0.5 + 0.3 * Math.sin(i / 211) + 0.2 * (s / 2147483648)) * scale);
  }
  return t;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** ONNX Runtime alone over the tiles the tiled run uses (float32 inputs, as after preprocessing). */
async function bare(pkg: ModelPackage, input: Tensor, id: string): Promise<number> {
  const session = await openOnnxSession(pkg, { intraOpNumThreads: availableParallelism() });
  try {
    const plan = planTiles(pkg.description, { [id]: input.shape }, { maxTileVoxels: TILE_VOXELS });
    const asFloat = makeTensor('float32', input.shape, Float32Array.from(input.data as ArrayLike<number>));
    const tiles = plan.tiles.map((tile) => extract(asFloat, tile.inputs[id] as Box, 'zeros'));
    return await timed(async () => {
      for (const tile of tiles) await session.run({ [id]: tile });
    });
  } finally {
    await session.close();
  }
}

/** Writes a ZYX uint8 stack of about `gb` GB (planes of 2048×2048 with bright blobs on noise) plane by plane. */
async function writeLargeStack(path: string, gb: number): Promise<number> {
  const side = 2048;
  const planes = Math.max(1, Math.round((gb * 1e9) / (side * side)));
  const writer = await createTiffPlaneWriter(path, { shape: [planes, side, side], dtype: 'uint8', axes: 'ZYX' });
  const plane = new Uint8Array(side * side);
  let s = 3;
  for (let z = 0; z < planes; z++) {
    for (let i = 0; i < plane.length; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      plane[i] = 20 + ((s >>> 16) & 15);
    }
    for (let b = 0; b < 40; b++) {
      const [cy, cx] = [((b * 389 + z * 17) % (side - 20)) + 10, ((b * 911 + z * 29) % (side - 20)) + 10];
      for (let y = -4; y <= 4; y++) for (let x = -4; x <= 4; x++) if (x * x + y * y <= 16) plane[(cy + y) * side + cx + x] = 200;
    }
    await writer.writePlane(z, plane);
  }
  await writer.close();
  return planes;
}

/** Runs the 2-D percentile model over every plane of a large stack and prints the peak RSS against the file size. */
async function largeImage(pkg: ModelPackage, dir: string, gb: number): Promise<void> {
  const input = join(dir, 'large.ome.tif');
  const planes = await writeLargeStack(input, gb);
  const bytes = statSync(input).size;
  const before = process.resourceUsage().maxRSS * 1024;
  const start = performance.now();
  const result = await predictImage(pkg, { raw: { path: input } }, { mask: join(dir, 'large_mask.ome.tif') }, { threads: availableParallelism() });
  const seconds = (performance.now() - start) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  const out = readTiffFileLayout(join(dir, 'large_mask.ome.tif')).metadata.shape?.join('×');
  const gib = (n: number): string => `${(n / 2 ** 30).toFixed(2)} GiB`;
  console.log(
    `large image: ${planes} planes of 2048×2048 uint8 (${gib(bytes)}) → mask ${out}: ${seconds.toFixed(0)} s (${((planes * 2048 * 2048) / seconds).toExponential(2)} voxels/s, ${result.samples} samples), peak RSS ${gib(peak)} (${gib(before)} before): ${(peak / bytes).toFixed(2)}× the input`,
  );
  rmSync(input, { force: true });
  rmSync(join(dir, 'large_mask.ome.tif'), { force: true });
}

const cases: { name: 'unet3d-halo' | 'two-channel-2d' | 'percentile-2d'; shape: number[]; dtype: 'float32' | 'uint8' | 'uint16'; scale: number }[] = [
  { name: 'unet3d-halo', shape: [1, 1, 64, 256, 256], dtype: 'float32', scale: 1000 },
  { name: 'two-channel-2d', shape: [1, 2, 1024, 1024], dtype: 'uint16', scale: 4000 },
  { name: 'percentile-2d', shape: [1, 1, 2048, 2048], dtype: 'uint8', scale: 255 },
];

console.log(`bench:models on ${availableParallelism()} cores (load ${loadavg()[0]?.toFixed(1)}), Node ${process.version}, median of ${repeat}`);
const dir = mkdtempSync(join(tmpdir(), 'bench-models-'));
try {
  let models: Record<string, string>;
  try {
    models = buildTestModels(dir).models;
  } catch (error) {
    console.log(`the test models need Debian's python3 with numpy and python3-onnx (apt-get install python3-onnx): ${(error as Error).message}`);
    process.exit(0);
  }
  const largeGb = Number(values.large);
  if (largeGb > 0) await largeImage(await openModelPackage(models['percentile-2d'] as string, { cacheDir: join(dir, 'cache') }), dir, largeGb);
  console.log(
    `${'model'.padEnd(16)} ${'input'.padEnd(16)} ${'bare ORT'.padStart(12)} ${'whole'.padStart(12)} ${'tiled'.padStart(12)}   tiled/bare  tiled/whole  (voxels/s)`,
  );
  for (const c of cases) {
    const pkg = await openModelPackage(models[c.name] as string, { cacheDir: join(dir, 'cache') });
    const id = pkg.description.inputs[0]?.id as string;
    const input = image(c.shape, c.dtype, c.scale);
    const voxels = c.shape.reduce((a, b) => a * b, 1);
    const session = await openOnnxSession(pkg, { intraOpNumThreads: availableParallelism() });
    try {
      const bareMs = await bare(pkg, input, id);
      const fixed = pkg.description.inputs[0]?.axes.some((a) => (a.type === 'space' || a.type === 'time') && typeof a.size === 'number') ?? false;
      const wholeMs = fixed ? NaN : await timed(() => predict(pkg, { [id]: input }, { session, maxTileVoxels: voxels }));
      const tiledMs = await timed(() => predict(pkg, { [id]: input }, { session, maxTileVoxels: TILE_VOXELS }));
      const rate = (ms: number): string => (Number.isNaN(ms) ? 'fixed size' : `${((voxels / ms) * 1000).toExponential(2)}`);
      console.log(
        `${c.name.padEnd(16)} ${c.shape.slice(1).join('×').padEnd(16)} ${rate(bareMs).padStart(12)} ${rate(wholeMs).padStart(12)} ${rate(tiledMs).padStart(12)}   ${(tiledMs / bareMs).toFixed(2).padStart(9)}×  ${Number.isNaN(wholeMs) ? '         –' : `${(tiledMs / wholeMs).toFixed(2).padStart(10)}×`}`,
      );
    } finally {
      await session.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
