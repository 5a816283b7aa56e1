import { ApiError } from '../api-error.js';
import type { Plane } from './image-plane.js';
import { planeToRgba } from './plane-to-rgba.js';

/** Draws planes as PNG images no larger than a given size. */
export interface PngRenderer {
  /** The plane contrast-stretched, scaled to fit `maxSize` pixels on its longer side (never enlarged past 8×), as PNG bytes. */
  render(plane: Plane, maxSize: number): Promise<Uint8Array>;
}

type CanvasModule = typeof import('@napi-rs/canvas');

/**
 * The renderer on @napi-rs/canvas (Skia), imported lazily on the first preview so that a machine
 * whose native binary cannot load still serves everything but images; there every preview answers
 * 503 UNAVAILABLE with the reason. Small images are enlarged with crisp pixels (no smoothing), so
 * a 32×32 image stays readable; large ones are reduced with smoothing.
 */
export class CanvasPngRenderer implements PngRenderer {
  private module: Promise<CanvasModule> | undefined;

  async render(plane: Plane, maxSize: number): Promise<Uint8Array> {
    const canvas = await this.load();
    const source = canvas.createCanvas(plane.width, plane.height);
    source.getContext('2d').putImageData(new canvas.ImageData(planeToRgba(plane), plane.width, plane.height), 0, 0);
    const scale = Math.min(maxSize / Math.max(plane.width, plane.height), 8);
    if (Math.abs(scale - 1) < 1e-9) return source.encode('png');
    const width = Math.max(1, Math.round(plane.width * scale));
    const height = Math.max(1, Math.round(plane.height * scale));
    const target = canvas.createCanvas(width, height);
    const context = target.getContext('2d');
    context.imageSmoothingEnabled = scale < 1;
    context.drawImage(source, 0, 0, width, height);
    return target.encode('png');
  }

  private load(): Promise<CanvasModule> {
    this.module ??= import('@napi-rs/canvas').catch((cause: unknown) => {
      this.module = undefined;
      const why = cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : String(cause);
      throw new ApiError(
        'UNAVAILABLE',
        `image previews are unavailable: @napi-rs/canvas cannot load (${why}); reinstall it with its prebuilt binary ('npm install @napi-rs/canvas')`,
        { cause },
      );
    });
    return this.module;
  }
}
