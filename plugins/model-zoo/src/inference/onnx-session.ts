import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PluginError, ToolError } from '@bioimageit/core';
import type { ModelDescription, TensorDescription } from '../model-description.js';
import { DTYPES, makeTensor, type DType, type Tensor, type TensorData } from '../tensor/tensor.js';

/**
 * ONNX Runtime sessions for the onnx weights of a model package. onnxruntime-node is required
 * lazily (the plugin loads without it). Its `InferenceSession.run` blocks the calling thread for the
 * whole run (measured with 1.31.1: a 5 ms interval did not tick once during a 480 ms run), so by
 * default each session lives in a worker thread and the event loop stays responsive; tensors cross
 * the thread boundary by transfer, not copy.
 */

/** The package parts a session needs (`openModelPackage`'s ModelPackage has them). */
export interface InferencePackage {
  /** Folder of the unpacked package; weight and test tensor paths are relative to it. */
  readonly root: string;
  readonly description: ModelDescription;
}

/** Options of {@link openOnnxSession}. */
export interface OnnxSessionOptions {
  /** ONNX Runtime intra-op threads (default: the machine's available parallelism). */
  readonly intraOpNumThreads?: number;
  /**
   * `worker` (default): the session runs in a worker thread, the event loop stays free.
   * `main`: on the calling thread, which blocks during each run (for measurements and debugging).
   */
  readonly thread?: 'worker' | 'main';
  /** Module to load instead of `onnxruntime-node` (tests of a missing install). */
  readonly runtimeModule?: string;
}

/** An open session; tensors are keyed by the package's tensor ids. */
export interface OnnxSession {
  /** Graph input and output name of each tensor id. */
  readonly inputNames: Readonly<Record<string, string>>;
  readonly outputNames: Readonly<Record<string, string>>;
  /** Element type the graph expects for each input id (`float32` when the graph does not say). */
  readonly inputTypes: Readonly<Record<string, DType>>;
  /** What ran, e.g. `onnxruntime-node 1.31.1 (cpu)`. */
  readonly runtime: string;
  /**
   * Runs the graph on one tile per input (model axes, the graph's input types) and resolves to the
   * outputs by tensor id. Throws ToolError `BAD_PARAMETER` when an input is missing or the runtime
   * rejects the tensors (the runtime's message is kept).
   */
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
  /** Releases the session (and ends its worker). Further runs reject. */
  close(): Promise<void>;
}

interface OrtTensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

interface OrtModule {
  readonly env: { readonly versions?: { readonly node?: string; readonly common?: string } };
  readonly Tensor: new (type: string, data: TensorData, dims: readonly number[]) => OrtTensorLike;
  readonly InferenceSession: {
    create(path: string, options: Record<string, unknown>): Promise<OrtSessionLike>;
  };
}

interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly { readonly name: string; readonly type?: string; readonly shape?: readonly unknown[] }[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

const DEFAULT_MODULE = 'onnxruntime-node';
const requireHere = createRequire(import.meta.url);
const loaded = new Map<string, OrtModule>();

function missing(moduleId: string, cause: unknown): PluginError {
  const why = cause instanceof Error ? cause.message.split('\n')[0]! : String(cause);
  return new PluginError(
    'MISSING_REQUIREMENT',
    `ONNX Runtime is unavailable: '${moduleId}' cannot be loaded (${why}). Install it with \`npm install onnxruntime-node\` in the BioImageIT installation (Linux, macOS or Windows on x64/arm64).`,
    { cause, details: { requirement: moduleId } },
  );
}

/** Absolute path of the runtime module's entry, or a MISSING_REQUIREMENT PluginError. */
function resolveRuntime(moduleId: string): string {
  try {
    return requireHere.resolve(moduleId);
  } catch (error) {
    throw missing(moduleId, error);
  }
}

/**
 * Loads onnxruntime-node (or `moduleId`) once per process, on first use.
 *
 * @throws PluginError `MISSING_REQUIREMENT` naming the fix when the package is absent or its native
 *   binding fails to load.
 */
export function loadOnnxRuntime(moduleId = DEFAULT_MODULE): OrtModule {
  const known = loaded.get(moduleId);
  if (known !== undefined) return known;
  const entry = resolveRuntime(moduleId);
  let ort: OrtModule;
  try {
    ort = requireHere(entry) as OrtModule;
  } catch (error) {
    throw missing(moduleId, error);
  }
  if (typeof ort.InferenceSession?.create !== 'function') throw missing(moduleId, new Error('it exports no InferenceSession'));
  loaded.set(moduleId, ort);
  return ort;
}

/**
 * The runtime that runs models, e.g. `onnxruntime-node 1.31.1 (cpu)` (loads it lazily).
 *
 * @throws PluginError `MISSING_REQUIREMENT` when onnxruntime-node cannot be loaded.
 */
export function runtimeDescription(moduleId = DEFAULT_MODULE): string {
  const ort = loadOnnxRuntime(moduleId);
  const version = ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown version';
  return `onnxruntime-node ${version} (cpu)`;
}

/**
 * Graph name of each tensor id: by id when every id is a graph name, else by position when the
 * counts agree (ids and graph names both in rdf order).
 *
 * @throws ToolError `BAD_MANIFEST` naming the model, the ids and the graph's names when neither
 *   matches.
 */
export function mapTensorNames(model: string, kind: 'input' | 'output', ids: readonly string[], graphNames: readonly string[]): Record<string, string> {
  if (ids.every((id) => graphNames.includes(id))) return Object.fromEntries(ids.map((id) => [id, id]));
  if (ids.length === graphNames.length) return Object.fromEntries(ids.map((id, k) => [id, graphNames[k]!]));
  throw new ToolError(
    'BAD_MANIFEST',
    `model '${model}': its ${kind}s [${ids.join(', ')}] do not match the ONNX graph's ${kind}s [${graphNames.join(', ')}] by name or by count`,
    { details: { model, kind, ids, graphNames } },
  );
}

/** Path of the onnx weights of `pkg`, or a ToolError `BAD_MANIFEST`. */
export function onnxWeightsPath(pkg: InferencePackage): string {
  const weights = pkg.description.weights.find((w) => w.format === 'onnx');
  if (weights === undefined) {
    throw new ToolError(
      'BAD_MANIFEST',
      `model '${pkg.description.id}' has no onnx weights (it has ${pkg.description.weights.map((w) => w.format).join(', ') || 'none'}); only onnx runs natively`,
      { details: { model: pkg.description.id } },
    );
  }
  return path.resolve(pkg.root, weights.source);
}

const asDType = (type: string | undefined): DType => ((DTYPES as readonly string[]).includes(type ?? '') ? (type as DType) : 'float32');

/** Graph facts the session reports. */
interface GraphFacts {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputTypes: readonly (string | undefined)[];
  readonly inputRanks: readonly (number | undefined)[];
  readonly version: string;
}

interface WireTensor {
  readonly type: string;
  readonly data: TensorData;
  readonly dims: readonly number[];
}

/** Runs an ONNX session; one implementation per thread choice. */
interface Backend {
  readonly facts: GraphFacts;
  run(feeds: Record<string, WireTensor>): Promise<Record<string, WireTensor>>;
  close(): Promise<void>;
}

function sessionOptions(threads: number): Record<string, unknown> {
  return { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
}

function factsOf(session: OrtSessionLike, version: string): GraphFacts {
  const meta = session.inputNames.map((name) => session.inputMetadata?.find((m) => m.name === name));
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputTypes: meta.map((m) => m?.type),
    inputRanks: meta.map((m) => m?.shape?.length),
    version,
  };
}

async function mainThreadBackend(moduleId: string, weights: string, threads: number): Promise<Backend> {
  const ort = loadOnnxRuntime(moduleId);
  const session = await ort.InferenceSession.create(weights, sessionOptions(threads));
  return {
    facts: factsOf(session, runtimeDescription(moduleId)),
    async run(feeds) {
      const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ort.Tensor(t.type, t.data, t.dims)]));
      const results = await session.run(ortFeeds);
      return Object.fromEntries(Object.entries(results).map(([name, t]) => [name, { type: t.type, data: t.data as TensorData, dims: t.dims }]));
    },
    close: () => session.release(),
  };
}

/** The worker's program (plain CommonJS: it needs nothing but onnxruntime-node). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let ort, session;
const buffers = (tensors) => Object.values(tensors).map((t) => t.data.buffer);
(async () => {
  try {
    ort = require(workerData.entry);
  } catch (error) {
    parentPort.postMessage({ kind: 'failed', stage: 'load', message: String(error && error.message || error) });
    return;
  }
  try {
    session = await ort.InferenceSession.create(workerData.weights, workerData.options);
  } catch (error) {
    parentPort.postMessage({ kind: 'failed', stage: 'session', message: String(error && error.message || error) });
    return;
  }
  const versions = (ort.env && ort.env.versions) || {};
  const meta = session.inputNames.map((name) => (session.inputMetadata || []).find((m) => m.name === name));
  parentPort.postMessage({
    kind: 'ready',
    facts: {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      inputTypes: meta.map((m) => m && m.type),
      inputRanks: meta.map((m) => m && m.shape && m.shape.length),
      version: 'onnxruntime-node ' + (versions.node || versions.common || 'unknown version') + ' (cpu)',
    },
  });
})();
parentPort.on('message', async (message) => {
  if (message.kind === 'close') {
    if (session) await session.release().catch(() => undefined);
    parentPort.postMessage({ kind: 'closed' });
    return;
  }
  try {
    const feeds = {};
    for (const [name, t] of Object.entries(message.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    const results = await session.run(feeds);
    const outputs = {};
    for (const [name, t] of Object.entries(results)) outputs[name] = { type: t.type, data: t.data, dims: t.dims };
    parentPort.postMessage({ kind: 'result', id: message.id, outputs }, buffers(outputs));
  } catch (error) {
    parentPort.postMessage({ kind: 'error', id: message.id, message: String(error && error.message || error) });
  }
});
`;

type WorkerMessage =
  | { kind: 'failed'; stage: 'load' | 'session'; message: string }
  | { kind: 'ready'; facts: GraphFacts }
  | { kind: 'result'; id: number; outputs: Record<string, WireTensor> }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'closed' };

async function workerBackend(moduleId: string, weights: string, threads: number): Promise<Backend> {
  const entry = resolveRuntime(moduleId);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { entry, weights, options: sessionOptions(threads) } });
  const pending = new Map<number, { resolve: (o: Record<string, WireTensor>) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let dead: Error | undefined;
  let onClosed: (() => void) | undefined;

  const facts = await new Promise<GraphFacts>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      switch (m.kind) {
        case 'ready':
          resolve(m.facts);
          break;
        case 'failed':
          reject(m.stage === 'load' ? missing(moduleId, new Error(m.message)) : new Error(m.message));
          void worker.terminate();
          break;
        case 'result':
        case 'error': {
          const waiter = pending.get(m.id);
          pending.delete(m.id);
          if (pending.size === 0) worker.unref();
          if (m.kind === 'result') waiter?.resolve(m.outputs);
          else waiter?.reject(new Error(m.message));
          break;
        }
        case 'closed':
          onClosed?.();
          break;
      }
    });
    const fail = (error: Error): void => {
      dead = error;
      reject(error);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the ONNX Runtime worker exited (code ${String(code)})`)));
  });
  worker.unref();

  return {
    facts,
    run(feeds) {
      if (dead !== undefined) return Promise.reject(dead);
      const id = nextId++;
      const transfer = Object.values(feeds).map((t) => t.data.buffer as ArrayBuffer);
      worker.ref();
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ kind: 'run', id, feeds }, transfer);
      });
    },
    async close() {
      if (dead !== undefined) return;
      worker.ref();
      await new Promise<void>((resolve) => {
        onClosed = resolve;
        worker.postMessage({ kind: 'close' });
      });
      dead = new Error('the ONNX session is closed');
      await worker.terminate();
    },
  };
}

/** A copy of `t`'s storage in a buffer of its own (safe to transfer to another thread). */
function ownBuffer(t: Tensor, type: DType): TensorData {
  const wanted = makeTensor(type, t.shape).data;
  if (t.dtype === type) {
    wanted.set(t.data as never);
    return wanted;
  }
  const big = wanted instanceof BigInt64Array || wanted instanceof BigUint64Array;
  const fromBig = t.data instanceof BigInt64Array || t.data instanceof BigUint64Array;
  for (let i = 0; i < wanted.length; i++) {
    const v = t.data[i]!;
    (wanted as unknown as (number | bigint)[])[i] = big ? (fromBig ? (v as bigint) : BigInt(Math.trunc(v as number))) : Number(v);
  }
  return wanted;
}

/**
 * Opens an ONNX Runtime session for the onnx weights of `pkg` and maps its tensor ids to the
 * graph's names (see {@link mapTensorNames}). Callers close it when done ({@link predict} does when
 * it opened it).
 *
 * @throws PluginError `MISSING_REQUIREMENT` when onnxruntime-node is missing or broken; ToolError
 *   `BAD_MANIFEST` when the package has no onnx weights, the runtime cannot load them (message kept),
 *   or the graph's inputs/outputs do not match the rdf's (names, count, rank).
 */
export async function openOnnxSession(pkg: InferencePackage, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
  const model = pkg.description.id;
  const weights = onnxWeightsPath(pkg);
  const moduleId = options.runtimeModule ?? DEFAULT_MODULE;
  const threads = Math.max(1, Math.floor(options.intraOpNumThreads ?? availableParallelism()));
  let backend: Backend;
  try {
    backend = await (options.thread === 'main' ? mainThreadBackend : workerBackend)(moduleId, weights, threads);
  } catch (error) {
    if (error instanceof PluginError) throw error;
    throw new ToolError('BAD_MANIFEST', `model '${model}': ONNX Runtime cannot load ${weights}: ${(error as Error).message}`, {
      cause: error,
      details: { model, weights },
    });
  }
  const { facts } = backend;
  const ids = (list: readonly TensorDescription[]): string[] => list.map((t) => t.id);
  let inputNames: Record<string, string>;
  let outputNames: Record<string, string>;
  try {
    inputNames = mapTensorNames(model, 'input', ids(pkg.description.inputs), facts.inputNames);
    outputNames = mapTensorNames(model, 'output', ids(pkg.description.outputs), facts.outputNames);
    for (const input of pkg.description.inputs) {
      const rank = facts.inputRanks[facts.inputNames.indexOf(inputNames[input.id]!)];
      if (rank !== undefined && rank !== input.axes.length) {
        throw new ToolError(
          'BAD_MANIFEST',
          `model '${model}': input '${input.id}' has ${String(input.axes.length)} axes in the rdf but graph input '${inputNames[input.id]!}' has rank ${String(rank)}`,
          { details: { model, tensor: input.id } },
        );
      }
    }
  } catch (error) {
    await backend.close();
    throw error;
  }
  const inputTypes = Object.fromEntries(pkg.description.inputs.map((t) => [t.id, asDType(facts.inputTypes[facts.inputNames.indexOf(inputNames[t.id]!)])]));

  return {
    inputNames,
    outputNames,
    inputTypes,
    runtime: facts.version,
    async run(feeds) {
      const wire: Record<string, WireTensor> = {};
      for (const input of pkg.description.inputs) {
        const t = feeds[input.id];
        if (t === undefined)
          throw new ToolError('BAD_PARAMETER', `model '${model}': no tile for input '${input.id}'`, { details: { model, tensor: input.id } });
        const type = inputTypes[input.id]!;
        wire[inputNames[input.id]!] = { type, data: ownBuffer(t, type), dims: t.shape };
      }
      let results: Record<string, WireTensor>;
      try {
        results = await backend.run(wire);
      } catch (error) {
        throw new ToolError('BAD_PARAMETER', `model '${model}': ONNX Runtime failed: ${(error as Error).message}`, { cause: error, details: { model } });
      }
      const out: Record<string, Tensor> = {};
      for (const output of pkg.description.outputs) {
        const r = results[outputNames[output.id]!]!;
        out[output.id] = makeTensor(asDType(r.type), r.dims, r.data);
      }
      return out;
    },
    close: () => backend.close(),
  };
}
