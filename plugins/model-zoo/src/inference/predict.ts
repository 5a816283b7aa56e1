import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '@bioimageit/core';
import { createTiffPlaneWriter, readTiffFileLayout, readTiffPixels, type TiffPlaneWriter } from '@bioimageit/core/formats';
import type { TensorDescription } from '../model-description.js';
import { applyPlan } from '../processing/apply-plan.js';
import { planProcessing, type PlanOptions, type ProcessingPlan, type SampleTensorSource, type StatisticsSource } from '../processing/processing-plan.js';
import { tensorSource } from '../processing/tensor-source.js';
import { readNpy } from '../tensor/npy.js';
import { extract, insert, makeTensor, size, strides, toFloat64, type Box, type DType, type Tensor } from '../tensor/tensor.js';
import { mapInputAxes, mapOutputAxes, outputImageShape, sampleToImage, toModelAxes, type InputAxisMapping, type OutputAxisMapping } from './axis-mapping.js';
import { openOnnxSession, type InferencePackage, type OnnxSession, type OnnxSessionOptions } from './onnx-session.js';
import { planTiles, type TilePlan, type TilingOptions } from './tiling.js';

/**
 * Running a model package on whole samples: preprocessing planned over the whole sample (statistics
 * streamed), the sample cut into tiles ({@link planTiles}), each tile preprocessed, zero padded
 * beyond the sample, run by ONNX Runtime, its valid part pasted; then postprocessing with statistics
 * of the whole raw output. Results do not depend on the tiling.
 */

/** Options of {@link predict}, {@link testModel} and {@link predictImage}. */
export interface PredictOptions extends TilingOptions, OnnxSessionOptions, PlanOptions {
  /** A session opened by the caller (kept open); default: one opened and closed per call. */
  readonly session?: OnnxSession;
  /** Called after each tile with the tiles done and the total of the sample. */
  readonly onTile?: (done: number, total: number) => void;
  /** Called after each tile with the fraction of the whole call done (0 to 1). */
  readonly onProgress?: (fraction: number) => void;
  /** One tile size for every space and time axis (rounded to a valid size); `tileShape` wins. */
  readonly tile?: number;
  /** ONNX Runtime threads (same as `intraOpNumThreads`, which wins). */
  readonly threads?: number;
}

/** Options as {@link planTiles} and {@link openOnnxSession} take them. */
function normalized(pkg: InferencePackage, options: PredictOptions): PredictOptions {
  const tileShape =
    options.tileShape ??
    (options.tile === undefined
      ? undefined
      : Object.fromEntries((pkg.description.inputs[0]?.axes ?? []).filter((a) => a.type === 'space' || a.type === 'time').map((a) => [a.id, options.tile!])));
  return { ...options, ...(tileShape && { tileShape }), intraOpNumThreads: options.intraOpNumThreads ?? options.threads };
}

/** One input of a sample, however it is stored: its whole shape, a stream for statistics, a region reader. */
interface SampleInput {
  readonly shape: readonly number[];
  readonly statistics: SampleTensorSource;
  /** The raw values of `box` (inside the sample), model axes. */
  read(box: Box): Promise<Tensor>;
}

async function withSession<T>(pkg: InferencePackage, given: PredictOptions, use: (session: OnnxSession, options: PredictOptions) => Promise<T>): Promise<T> {
  const options = normalized(pkg, given);
  if (options.session !== undefined) return use(options.session, options);
  const session = await openOnnxSession(pkg, options);
  try {
    return await use(session, options);
  } finally {
    await session.close();
  }
}

function tileFailure(pkg: InferencePackage, tensor: string, error: unknown): ToolError {
  return new ToolError(
    'BAD_MANIFEST',
    `model '${pkg.description.id}': output '${tensor}' of a tile does not have the size the rdf gives: ${(error as Error).message}`,
    {
      cause: error,
      details: { model: pkg.description.id, tensor },
    },
  );
}

/** Runs one sample; resolves to the postprocessed outputs (whole sample, model axes) and the tile plan. */
async function runSample(
  pkg: InferencePackage,
  session: OnnxSession,
  inputs: Readonly<Record<string, SampleInput>>,
  options: PredictOptions,
  progress: { readonly sample: number; readonly samples: number } = { sample: 0, samples: 1 },
): Promise<{ outputs: Record<string, Tensor>; tiles: TilePlan }> {
  const description = pkg.description;
  const statistics = (extra: Readonly<Record<string, SampleTensorSource>> = {}): StatisticsSource => ({
    tensor: (id) => extra[id] ?? inputs[id]?.statistics,
  });
  const plans: Record<string, ProcessingPlan> = {};
  for (const input of description.inputs) plans[input.id] = await planProcessing(input.preprocessing, input, statistics(), options);
  const tiles = planTiles(description, Object.fromEntries(Object.entries(inputs).map(([id, s]) => [id, s.shape])), options);

  const raw: Record<string, Tensor> = {};
  for (const [k, tile] of tiles.tiles.entries()) {
    const feeds: Record<string, Tensor> = {};
    for (const input of description.inputs) {
      const box = tile.inputs[input.id]!;
      const sample = inputs[input.id]!;
      const lo = box.start.map((s) => Math.max(0, s));
      const hi = box.start.map((s, a) => Math.min(sample.shape[a]!, s + box.shape[a]!));
      const inside = { start: lo, shape: hi.map((h, a) => Math.max(0, h - lo[a]!)) };
      const plan = plans[input.id]!;
      const region = size(inside.shape) === 0 ? undefined : applyPlan(plan, await sample.read(inside), lo);
      const fed = makeTensor(region?.dtype ?? plan.outputDType, box.shape);
      if (region !== undefined)
        insert(
          fed,
          region,
          lo.map((l, a) => l - box.start[a]!),
        );
      feeds[input.id] = fed;
    }
    const results = await session.run(feeds);
    for (const output of description.outputs) {
      const result = results[output.id]!;
      const paste = tile.outputs[output.id]!;
      raw[output.id] ??= makeTensor(result.dtype, tiles.outputShapes[output.id]!);
      try {
        insert(raw[output.id]!, result, paste.at, paste.from);
      } catch (error) {
        throw tileFailure(pkg, output.id, error);
      }
    }
    options.onTile?.(k + 1, tiles.tiles.length);
    options.onProgress?.((progress.sample + (k + 1) / tiles.tiles.length) / progress.samples);
  }

  const rawSources = Object.fromEntries(description.outputs.map((o) => [o.id, tensorSource(raw[o.id]!, o.axes)]));
  const outputs: Record<string, Tensor> = {};
  for (const output of description.outputs) {
    if (output.postprocessing.length === 0) {
      outputs[output.id] = raw[output.id]!;
      continue;
    }
    const plan = await planProcessing(output.postprocessing, output, statistics(rawSources), options);
    outputs[output.id] = applyPlan(plan, raw[output.id]!);
  }
  return { outputs, tiles };
}

function checkInputs(pkg: InferencePackage, inputs: Readonly<Record<string, Tensor>>): void {
  for (const input of pkg.description.inputs) {
    const t = inputs[input.id];
    if (t === undefined)
      throw new ToolError('BAD_PARAMETER', `model '${pkg.description.id}': no data for input '${input.id}'`, { details: { tensor: input.id } });
    if (t.shape.length !== input.axes.length) {
      throw new ToolError(
        'BAD_PARAMETER',
        `model '${pkg.description.id}': input '${input.id}' has axes ${input.axes.map((a) => a.id).join(',')} but the tensor has shape [${t.shape.join(', ')}]`,
        { details: { tensor: input.id } },
      );
    }
  }
}

/**
 * Runs `pkg` on one whole sample: `inputs` by tensor id, each in the model's axes (batch 1). Resolves
 * to the outputs by tensor id, whole, postprocessed, in the dtype the postprocessing plan gives
 * (the graph's output type without postprocessing).
 *
 * @throws ToolError `BAD_PARAMETER` for a missing input or one of the wrong rank or channel count;
 *   `BAD_MANIFEST` for bad processing steps or outputs that disagree with the rdf; PluginError
 *   `MISSING_REQUIREMENT` without onnxruntime-node.
 */
export async function predict(pkg: InferencePackage, inputs: Readonly<Record<string, Tensor>>, options: PredictOptions = {}): Promise<Record<string, Tensor>> {
  checkInputs(pkg, inputs);
  const samples: Record<string, SampleInput> = {};
  for (const input of pkg.description.inputs) {
    const t = inputs[input.id]!;
    samples[input.id] = { shape: t.shape, statistics: tensorSource(t, input.axes), read: (box) => Promise.resolve(extract(t, box)) };
  }
  return withSession(pkg, options, async (session, normal) => (await runSample(pkg, session, samples, normal)).outputs);
}

/** How one output compares with its test tensor. */
export interface OutputComparison {
  readonly id: string;
  readonly maxAbsoluteError: number;
  /** Largest `|a − b| / |b|` over the elements where the expected `b` is not 0. */
  readonly maxRelativeError: number;
  /** Elements outside `atol + rtol·|b|` (all of them when the shapes differ). */
  readonly mismatched: number;
  readonly elements: number;
}

/** Result of {@link testModel}. */
export interface ModelTestResult {
  readonly passed: boolean;
  readonly outputs: readonly OutputComparison[];
  /** The runtime that ran it, e.g. `onnxruntime-node 1.31.1 (cpu)`. */
  readonly runtime: string;
}

/** Options of {@link testModel}: those of {@link predict}, and the tolerance (default: the package's). */
export interface TestModelOptions extends PredictOptions {
  readonly tolerance?: { readonly relative: number; readonly absolute: number; readonly mismatchedElementsPerMillion?: number };
}

/**
 * Elementwise comparison of `actual` with `expected`: `|a − b| ≤ atol + rtol·|b|` (NaN never
 * matches, except NaN against NaN).
 */
export function compareTensors(id: string, actual: Tensor, expected: Tensor, relative: number, absolute: number): OutputComparison {
  const elements = size(expected.shape);
  if (actual.shape.length !== expected.shape.length || actual.shape.some((s, a) => s !== expected.shape[a]))
    return { id, maxAbsoluteError: Infinity, maxRelativeError: Infinity, mismatched: elements, elements };
  const a = toFloat64(actual);
  const b = toFloat64(expected);
  let maxAbs = 0;
  let maxRel = 0;
  let mismatched = 0;
  for (let i = 0; i < elements; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    const d = Math.abs(x - y);
    if (!(d <= absolute + relative * Math.abs(y))) mismatched++;
    if (!(d <= maxAbs)) maxAbs = d;
    if (y !== 0 && !(d / Math.abs(y) <= maxRel)) maxRel = d / Math.abs(y);
  }
  return { id, maxAbsoluteError: maxAbs, maxRelativeError: maxRel, mismatched, elements };
}

async function readTestTensor(pkg: InferencePackage, tensor: TensorDescription): Promise<Tensor> {
  const file = path.resolve(pkg.root, tensor.testTensor);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new ToolError('BAD_MANIFEST', `model '${pkg.description.id}': cannot read test tensor ${file} of '${tensor.id}'`, {
      cause: error,
      details: { tensor: tensor.id },
    });
  }
  return readNpy(bytes, file);
}

/**
 * Runs `pkg` on its test inputs and compares each output with its test output under the package's
 * tolerance (or `options.tolerance`): an output passes when at most
 * `mismatched_elements_per_million` (default 0) per million elements lie outside
 * `atol + rtol·|expected|`. Errors of reading or running propagate as in {@link predict}.
 */
export async function testModel(pkg: InferencePackage, options: TestModelOptions = {}): Promise<ModelTestResult> {
  const d = pkg.description;
  const declared: NonNullable<TestModelOptions['tolerance']> = d.tolerance;
  const tolerance = options.tolerance ?? declared;
  const perMillion = tolerance.mismatchedElementsPerMillion ?? 0;
  const inputs: Record<string, Tensor> = {};
  for (const input of d.inputs) inputs[input.id] = await readTestTensor(pkg, input);
  return withSession(pkg, options, async (session, normal) => {
    const actual = await predict(pkg, inputs, { ...normal, session });
    const outputs: OutputComparison[] = [];
    for (const output of d.outputs) {
      const expected = await readTestTensor(pkg, output);
      outputs.push(compareTensors(output.id, actual[output.id]!, expected, tolerance.relative, tolerance.absolute));
    }
    const passed = outputs.every((o) => o.mismatched <= Math.floor((perMillion * o.elements) / 1e6));
    return { passed, outputs, runtime: session.runtime };
  });
}

/** One written output of {@link predictImage}. */
export interface PredictedImage {
  readonly path: string;
  /** Image axes (`TCZYX` order) and sizes as written. */
  readonly axes: string;
  readonly shape: readonly number[];
  readonly dtype: string;
}

/** Result of {@link predictImage}. */
export interface PredictImageResult {
  readonly outputs: Readonly<Record<string, PredictedImage>>;
  /** Samples run (time points or planes looped over). */
  readonly samples: number;
  /** Tiles run per sample. */
  readonly tilesPerSample: number;
  readonly runtime: string;
}

type PixelDtype = 'uint8' | 'uint16' | 'uint32' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
const PIXEL_DTYPES: readonly string[] = ['uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32', 'float32', 'float64'];

/** The pixel dtype an output dtype is written as (bool as uint8, 64-bit integers as float64). */
function pixelDtypeOf(dtype: DType): PixelDtype {
  if ((PIXEL_DTYPES as readonly string[]).includes(dtype)) return dtype as PixelDtype;
  return dtype === 'bool' ? 'uint8' : 'float64';
}

/** Per-plane reads of one TIFF input, with a cache of the planes the last tile used. */
class PlaneSource {
  private cache = new Map<string, Tensor>();

  constructor(
    private readonly file: string,
    private readonly mapping: InputAxisMapping,
    private readonly dtype: DType,
    /** Fixed indices of the looped axes. */
    private readonly at: Readonly<Record<string, number>>,
  ) {}

  /** Model axes whose indices select planes (C, Z, T): positions and letters. */
  private planeAxes(): { axis: number; letter: 'T' | 'C' | 'Z' }[] {
    return this.mapping.links.flatMap((l, axis) => (l.letter === 'T' || l.letter === 'C' || l.letter === 'Z' ? [{ axis, letter: l.letter }] : []));
  }

  private async plane(index: readonly number[], keep: Map<string, Tensor>): Promise<Tensor> {
    const key = index.join(',');
    let t = keep.get(key) ?? this.cache.get(key);
    if (t === undefined) {
      const select: Partial<Record<'T' | 'C' | 'Z', number>> = {};
      for (const [letter, i] of Object.entries(this.at)) select[letter as 'T' | 'Z'] = i;
      this.planeAxes().forEach(({ letter }, k) => (select[letter] = index[k]!));
      const pixels = await readTiffPixels(this.file, { select });
      t = toModelAxes(pixels, this.mapping);
    }
    keep.set(key, t);
    return t;
  }

  /** Every plane index of the sample (C order). */
  private allIndices(box?: Box): number[][] {
    const axes = this.planeAxes();
    const ranges = axes.map(({ axis }) => (box === undefined ? [0, this.mapping.sampleShape[axis]!] : [box.start[axis]!, box.start[axis]! + box.shape[axis]!]));
    const out: number[][] = [];
    const index = ranges.map((r) => r[0]!);
    if (ranges.some((r) => r[1]! <= r[0]!)) return out;
    for (;;) {
      out.push([...index]);
      let a = index.length - 1;
      while (a >= 0 && ++index[a]! >= ranges[a]![1]!) index[a] = ranges[a--]![0]!;
      if (a < 0) return out;
    }
  }

  statistics(): SampleTensorSource {
    const axes = this.planeAxes();
    return {
      axes: this.mapping.links.map((l) => l.axis),
      shape: this.mapping.sampleShape,
      forEachChunk: async (visit) => {
        for (const index of this.allIndices()) {
          const plane = await this.plane(index, new Map());
          const offsets = this.mapping.sampleShape.map(() => 0);
          axes.forEach(({ axis }, k) => (offsets[axis] = index[k]!));
          await visit(plane, offsets);
        }
      },
    };
  }

  async read(box: Box): Promise<Tensor> {
    const axes = this.planeAxes();
    const region = makeTensor(this.dtype, box.shape);
    const keep = new Map<string, Tensor>();
    for (const index of this.allIndices(box)) {
      const plane = await this.plane(index, keep);
      const start = [...box.start];
      const shape = [...box.shape];
      const at = box.start.map(() => 0);
      axes.forEach(({ axis }, k) => {
        start[axis] = 0;
        shape[axis] = 1;
        at[axis] = index[k]! - box.start[axis]!;
      });
      insert(region, extract(plane, { start, shape }), at);
    }
    this.cache = keep;
    return region;
  }
}

/** Index of the plane at `index` (over the leading axes of `shape`, all but the last two/three). */
function planeNumber(shape: readonly number[], axes: string, index: readonly number[]): number {
  const lead = axes.replace(/YXS?$/, '').length;
  const s = strides(shape.slice(0, lead));
  return index.slice(0, lead).reduce((n, i, a) => n + i * s[a]!, 0);
}

/**
 * Runs `pkg` on TIFF / OME-TIFF images and writes each output as OME-TIFF. `images` gives the file of
 * each input tensor (read plane by plane: statistics stream over the whole image; a tile reads only
 * the planes of its Z slab); image axes map to model axes by {@link mapInputAxes} (time points, or
 * planes for 2-D models, run as separate samples). Each output is written plane by plane through
 * core's TIFF plane writer, so memory holds one sample's outputs (one time point), the planes of one
 * tile slab and the tiles — not the whole image. Outputs are written with the image's axes plus C for
 * the model's channels ({@link mapOutputAxes}); bool outputs as uint8.
 *
 * @throws ToolError `BAD_PARAMETER` for a missing image or output path, axis or channel mismatches;
 *   FormatError for unreadable or unwritable files; as {@link predict} otherwise.
 */
export async function predictImage(
  pkg: InferencePackage,
  images: Readonly<Record<string, { readonly path: string }>>,
  output: Readonly<Record<string, string>>,
  options: PredictOptions = {},
): Promise<PredictImageResult> {
  const d = pkg.description;
  const model = d.id;
  const mappings: Record<string, InputAxisMapping> = {};
  const dtypes: Record<string, DType> = {};
  for (const input of d.inputs) {
    const file = images[input.id]?.path;
    if (file === undefined) throw new ToolError('BAD_PARAMETER', `model '${model}': no image for input '${input.id}'`, { details: { tensor: input.id } });
    const meta = readTiffFileLayout(file).metadata;
    if (!PIXEL_DTYPES.includes(meta.dtype))
      throw new ToolError('BAD_PARAMETER', `model '${model}': image ${file} has pixel type ${meta.dtype}`, { details: { tensor: input.id } });
    mappings[input.id] = mapInputAxes(model, input, { axes: meta.axes, shape: meta.shape });
    dtypes[input.id] = meta.dtype as DType;
  }
  for (const o of d.outputs) {
    if (output[o.id] === undefined) throw new ToolError('BAD_PARAMETER', `model '${model}': no output path for '${o.id}'`, { details: { tensor: o.id } });
  }
  const first = mappings[d.inputs[0]!.id]!;
  const loop = first.loop;
  const samples = loop.reduce((n, l) => n * l.size, 1);
  const outMappings: Record<string, OutputAxisMapping> = Object.fromEntries(d.outputs.map((o) => [o.id, mapOutputAxes(model, o, first)]));
  const writers: Record<string, { writer: TiffPlaneWriter; info: PredictedImage }> = {};
  let tilesPerSample = 0;

  try {
    return await withSession(pkg, options, async (session, normal) => {
      const index = loop.map(() => 0);
      for (let s = 0; s < samples; s++) {
        const at = Object.fromEntries(loop.map((l, k) => [l.letter, index[k]!]));
        const inputs: Record<string, SampleInput> = {};
        for (const input of d.inputs) {
          const source = new PlaneSource(images[input.id]!.path, mappings[input.id]!, dtypes[input.id]!, at);
          inputs[input.id] = { shape: mappings[input.id]!.sampleShape, statistics: source.statistics(), read: (box) => source.read(box) };
        }
        const { outputs, tiles } = await runSample(pkg, session, inputs, normal, { sample: s, samples });
        tilesPerSample = tiles.tiles.length;
        for (const o of d.outputs) {
          const mapping = outMappings[o.id]!;
          const sample = outputs[o.id]!;
          const dtype = pixelDtypeOf(sample.dtype);
          let entry = writers[o.id];
          if (entry === undefined) {
            const shape = outputImageShape(mapping, sample.shape);
            const info: PredictedImage = { path: output[o.id]!, axes: mapping.axes, shape, dtype };
            const writer = await createTiffPlaneWriter(info.path, { shape, dtype, axes: mapping.axes }, { ome: true });
            entry = writers[o.id] = { writer, info };
          }
          await writeSample(entry.writer, entry.info, sampleToImage(sample, mapping), mapping, at);
        }
        let a = index.length - 1;
        while (a >= 0 && ++index[a]! >= loop[a]!.size) index[a--] = 0;
      }
      for (const { writer } of Object.values(writers)) await writer.close();
      return {
        outputs: Object.fromEntries(Object.entries(writers).map(([id, w]) => [id, w.info])),
        samples,
        tilesPerSample,
        runtime: session.runtime,
      };
    });
  } catch (error) {
    for (const { writer } of Object.values(writers)) await writer.abort();
    throw error;
  }
}

/** Writes the planes of one output sample (image axes without the looped ones) at loop index `at`. */
async function writeSample(
  writer: TiffPlaneWriter,
  info: PredictedImage,
  sample: Tensor,
  mapping: OutputAxisMapping,
  at: Readonly<Record<string, number>>,
): Promise<void> {
  const loop = new Set(mapping.loop.map((l) => l.letter));
  const sampleAxes = [...info.axes].filter((l) => !loop.has(l));
  const planeSize = sample.shape.slice(-2).reduce((x, y) => x * y, 1);
  const planes = size(sample.shape) / Math.max(1, planeSize);
  const lead = sample.shape.slice(0, -2);
  const dtype = info.dtype as DType;
  for (let p = 0; p < planes; p++) {
    const local = lead.map(() => 0);
    let rest = p;
    for (let a = lead.length - 1; a >= 0; a--) {
      local[a] = rest % lead[a]!;
      rest = Math.floor(rest / lead[a]!);
    }
    const full = [...info.axes].slice(0, -2).map((letter) => (loop.has(letter) ? at[letter]! : local[sampleAxes.indexOf(letter)]!));
    const slice = sample.data.subarray(p * planeSize, (p + 1) * planeSize);
    const data = makeTensor(dtype, [planeSize]).data as Exclude<Tensor['data'], BigInt64Array | BigUint64Array>;
    if (slice instanceof BigInt64Array || slice instanceof BigUint64Array) for (let i = 0; i < planeSize; i++) data[i] = Number(slice[i]!);
    else data.set(slice);
    await writer.writePlane(planeNumber(info.shape, info.axes, full), data);
  }
}
