import { parentPort } from 'node:worker_threads';
import { builtinFormatCodecs, type FormatCodec } from '@bioimageit/core';
import { loadCoreEncoder, probePngEncoder, type PngEncoder } from './png-encoder.js';
import { drawThumbnail } from './render-thumbnail.js';
import type { DrawJob, DrawReply } from './thumbnail-pool.js';

/**
 * A thumbnail worker thread: reads the image of a job with core's built-in codecs and draws it
 * ({@link drawThumbnail}: the composite of the channels' maximum projections, each plane read
 * within the job's `maxPixelBytes`), so that decoding, projection, contrast and PNG encoding never
 * run on the thread that imports. Jobs run
 * concurrently (their reads overlap). In: {@link DrawJob}. Out: {@link DrawReply} (the PNG's
 * buffer transferred).
 */
const codecs = new Map<string, FormatCodec>(builtinFormatCodecs().map((codec) => [codec.id, codec]));
let encoder: Promise<PngEncoder> | undefined;

parentPort?.on('message', (job: DrawJob) => {
  void draw(job).then(
    (drawn) => {
      // The encoder's Buffer may sit on memory that cannot be transferred (Node ≥ 22 refuses it): send a copy (a few KiB).
      const png = new Uint8Array(drawn);
      parentPort?.postMessage({ id: job.id, png } satisfies DrawReply, [png.buffer]);
    },
    (error: unknown) => {
      parentPort?.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) } satisfies DrawReply);
    },
  );
});

async function draw(job: DrawJob): Promise<Uint8Array> {
  const codec = codecs.get(job.format);
  if (codec === undefined) throw new Error(`no pixel reader for format '${job.format}'`);
  encoder ??= probePngEncoder(loadCoreEncoder);
  return drawThumbnail(codec, job.path, job.metadata, await encoder, job.render);
}
