import type { RgbaImage } from '@bioimageit/core';
import type { Rgb } from './track-colors.js';

/** Segments longer than this (pixels) are stroked in pieces, so each piece scans a small box only. */
const PIECE = 16;

/**
 * An anti-aliased coverage mask the size of an image, for drawing overlays onto an {@link RgbaImage}
 * (the track renderings' own rasterizer; no canvas, no native code).
 *
 * Shapes are stroked into the mask by distance: a pixel's coverage is how much of it lies within
 * half the line width of the shape (`½·width + ½ − distance`, clamped to 0–1), times the shape's
 * opacity. Shapes stroked into one mask combine by maximum, so a polyline's segments meet without
 * darker dots at their joints; {@link paint} then blends the whole mask onto the image in one
 * colour, once, and clears it for the next shape. Pixel (i, j) has its centre at (i, j).
 */
export class CoverageMask {
  private readonly alpha: Float32Array;
  private x0 = Infinity;
  private y0 = Infinity;
  private x1 = -Infinity;
  private y1 = -Infinity;

  /** An empty mask for images of `width × height` pixels. */
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`a mask cannot be ${width}×${height}`);
    this.alpha = new Float32Array(width * height);
  }

  /**
   * Strokes the segment from (xa, ya) to (xb, yb) with round caps, `width` pixels wide; its opacity
   * goes linearly from `alphaA` at the first end to `alphaB` at the second. Parts outside the image
   * are clipped; a segment with a non-finite end is ignored.
   */
  strokeSegment(xa: number, ya: number, xb: number, yb: number, width: number, alphaA: number, alphaB = alphaA): void {
    if (![xa, ya, xb, yb].every(Number.isFinite)) return;
    const pieces = Math.max(1, Math.ceil(Math.hypot(xb - xa, yb - ya) / PIECE));
    for (let p = 0; p < pieces; p++) {
      const s = p / pieces;
      const t = (p + 1) / pieces;
      this.capsule(
        xa + (xb - xa) * s,
        ya + (yb - ya) * s,
        xa + (xb - xa) * t,
        ya + (yb - ya) * t,
        width / 2,
        alphaA + (alphaB - alphaA) * s,
        alphaA + (alphaB - alphaA) * t,
      );
    }
  }

  /** Strokes the circle of centre (cx, cy) and `radius` pixels, its line `width` pixels wide, at opacity `alpha`. */
  strokeCircle(cx: number, cy: number, radius: number, width: number, alpha: number): void {
    if (![cx, cy, radius].every(Number.isFinite)) return;
    const half = width / 2;
    this.scan(cx - radius - half - 1, cy - radius - half - 1, cx + radius + half + 1, cy + radius + half + 1, (x, y) => {
      const d = Math.abs(Math.hypot(x - cx, y - cy) - radius);
      return coverage(half, d) * alpha;
    });
  }

  /** Fills the disc of centre (cx, cy) and `radius` pixels (edge anti-aliased) at opacity `alpha`. */
  fillDisc(cx: number, cy: number, radius: number, alpha: number): void {
    if (![cx, cy, radius].every(Number.isFinite)) return;
    this.scan(
      cx - radius - 1,
      cy - radius - 1,
      cx + radius + 1,
      cy + radius + 1,
      (x, y) => Math.min(1, Math.max(0, radius + 0.5 - Math.hypot(x - cx, y - cy))) * alpha,
    );
  }

  /**
   * Blends the mask onto `image` (same size) in colour `rgb`: each pixel becomes
   * `(1 − a)·pixel + a·rgb` for its coverage `a`; then clears the mask. Throws RangeError when the
   * sizes differ.
   */
  paint(image: RgbaImage, rgb: Rgb): void {
    if (image.width !== this.width || image.height !== this.height)
      throw new RangeError(`a ${this.width}×${this.height} mask cannot paint a ${image.width}×${image.height} image`);
    const { rgba } = image;
    const [r, g, b] = rgb;
    for (let y = this.y0; y <= this.y1; y++) {
      for (let x = this.x0, i = y * this.width + this.x0; x <= this.x1; x++, i++) {
        const a = this.alpha[i]!;
        if (a <= 0) continue;
        this.alpha[i] = 0;
        const o = i * 4;
        rgba[o] = rgba[o]! + (r - rgba[o]!) * a;
        rgba[o + 1] = rgba[o + 1]! + (g - rgba[o + 1]!) * a;
        rgba[o + 2] = rgba[o + 2]! + (b - rgba[o + 2]!) * a;
      }
    }
    this.x0 = this.y0 = Infinity;
    this.x1 = this.y1 = -Infinity;
  }

  /** One round-capped piece of a segment: half width `half`, opacity linear from `alphaA` to `alphaB`. */
  private capsule(xa: number, ya: number, xb: number, yb: number, half: number, alphaA: number, alphaB: number): void {
    const dx = xb - xa;
    const dy = yb - ya;
    const length2 = dx * dx + dy * dy;
    this.scan(Math.min(xa, xb) - half - 1, Math.min(ya, yb) - half - 1, Math.max(xa, xb) + half + 1, Math.max(ya, yb) + half + 1, (x, y) => {
      const t = length2 === 0 ? 0 : Math.min(1, Math.max(0, ((x - xa) * dx + (y - ya) * dy) / length2));
      const d = Math.hypot(x - (xa + t * dx), y - (ya + t * dy));
      return coverage(half, d) * (alphaA + (alphaB - alphaA) * t);
    });
  }

  /** Visits the pixels of a box (clipped to the mask), keeping for each the larger of its coverage and `at(x, y)`. */
  private scan(left: number, top: number, right: number, bottom: number, at: (x: number, y: number) => number): void {
    const xs = Math.max(0, Math.floor(left));
    const ys = Math.max(0, Math.floor(top));
    const xe = Math.min(this.width - 1, Math.ceil(right));
    const ye = Math.min(this.height - 1, Math.ceil(bottom));
    if (xs > xe || ys > ye) return;
    let touched = false;
    for (let y = ys; y <= ye; y++) {
      for (let x = xs, i = y * this.width + xs; x <= xe; x++, i++) {
        const a = at(x, y);
        if (a > this.alpha[i]!) {
          this.alpha[i] = Math.min(1, a);
          touched = true;
        }
      }
    }
    if (!touched) return;
    this.x0 = Math.min(this.x0, xs);
    this.y0 = Math.min(this.y0, ys);
    this.x1 = Math.max(this.x1, xe);
    this.y1 = Math.max(this.y1, ye);
  }
}

/** Coverage of a pixel whose centre is `distance` from a stroke's centre line, for a stroke of half width `half`. */
function coverage(half: number, distance: number): number {
  return Math.min(1, Math.max(0, half + 0.5 - distance));
}
