import { readPlane, type FormatCodec } from '@bioimageit/core';
import { fitPlane } from './fit-plane.js';
import type { Plane } from './image-plane.js';
import type { PngRenderer } from './png-renderer.js';

/** One preview to draw: which file, which plane, how large, within which read limit. */
export interface RenderJob {
  readonly path: string;
  readonly format: string;
  readonly t?: number;
  readonly c?: number;
  readonly z: number | 'max';
  /** Longest side of the image wanted. */
  readonly size: number;
  /** Decoded bytes one plane read may take (declared sizes are checked before decoding). */
  readonly maxBytes: number;
}

/**
 * Reads the job's plane with bounded memory (core's `readPlane`) and reduces it to the asked size.
 * With a renderer, also draws it: the PNG comes back with the plane.
 */
export async function runRenderJob(codec: FormatCodec, job: RenderJob, renderer?: PngRenderer): Promise<{ plane: Plane; png?: Uint8Array }> {
  const pixels = await readPlane(
    codec,
    job.path,
    { ...(job.t !== undefined && { t: job.t }), ...(job.c !== undefined && { c: job.c }), z: job.z },
    job.maxBytes,
  );
  const plane = fitPlane(pixels, job.size);
  if (renderer === undefined) return { plane };
  return { plane, png: await renderer.render(plane, job.size) };
}
