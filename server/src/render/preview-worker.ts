import { parentPort } from 'node:worker_threads';
import { builtinFormatCodecs, isBioImageItError } from '@bioimageit/core';
import { runRenderJob, type RenderJob } from './render-job.js';

/**
 * A preview worker thread: reads and draws previews of files in the built-in formats, one job at
 * a time, so the server's event loop never decodes pixels. In: `{ id, job }`. Out: `{ id, result }`
 * (a PNG's buffer transferred) or `{ id, error: { kind, code?, message, details? } }`.
 */
const codecs = new Map(builtinFormatCodecs().map((codec) => [codec.id, codec]));

parentPort?.on('message', (message: { id: number; job: RenderJob }) => {
  void handle(message);
});

async function handle({ id, job }: { id: number; job: RenderJob }): Promise<void> {
  try {
    const codec = codecs.get(job.format);
    if (codec === undefined) throw new Error(`the preview worker has no codec for format '${job.format}'`);
    const result = await runRenderJob(codec, job);
    parentPort!.postMessage({ id, result }, 'png' in result ? [result.png.buffer as ArrayBuffer] : []);
  } catch (error) {
    parentPort!.postMessage({ id, error: describe(error) });
  }
}

function describe(error: unknown): { kind: string; code?: string; message: string; details?: unknown } {
  if (isBioImageItError(error)) return { kind: error.name, code: error.code, message: error.message, details: error.details };
  if (error instanceof RangeError) return { kind: 'RangeError', message: error.message };
  return { kind: 'Error', message: error instanceof Error ? error.message : String(error) };
}
