import { parentPort } from 'node:worker_threads';
import { builtinFormatCodecs, isBioImageItError } from '@bioimageit/core';
import { CanvasPngRenderer } from './png-renderer.js';
import { runRenderJob, type RenderJob } from './render-job.js';

/**
 * A preview worker thread: decodes and draws previews of files in the built-in formats, one job
 * at a time, so the server's event loop never decodes pixels. In: `{ id, job, draw }`. Out:
 * `{ id, plane, png? }` (buffers transferred) or `{ id, error: { kind, code?, message, details? } }`.
 */
const codecs = new Map(builtinFormatCodecs().map((codec) => [codec.id, codec]));
const renderer = new CanvasPngRenderer();

parentPort?.on('message', (message: { id: number; job: RenderJob; draw: boolean }) => {
  void handle(message);
});

async function handle({ id, job, draw }: { id: number; job: RenderJob; draw: boolean }): Promise<void> {
  try {
    const codec = codecs.get(job.format);
    if (codec === undefined) throw new Error(`the preview worker has no codec for format '${job.format}'`);
    const { plane, png: drawn } = await runRenderJob(codec, job, draw ? renderer : undefined);
    // The encoder's Buffer may sit on memory that cannot be transferred (Node ≥ 22 refuses it): send a copy (a few KiB).
    const png = drawn === undefined ? undefined : new Uint8Array(drawn);
    const transfer: ArrayBuffer[] = [plane.values.buffer as ArrayBuffer];
    if (png !== undefined) transfer.push(png.buffer);
    parentPort!.postMessage({ id, plane, ...(png !== undefined && { png }) }, transfer);
  } catch (error) {
    parentPort!.postMessage({ id, error: describe(error) });
  }
}

function describe(error: unknown): { kind: string; code?: string; message: string; details?: unknown } {
  if (isBioImageItError(error)) return { kind: error.name, code: error.code, message: error.message, details: error.details };
  if (error instanceof RangeError) return { kind: 'RangeError', message: error.message };
  return { kind: 'Error', message: error instanceof Error ? error.message : String(error) };
}
