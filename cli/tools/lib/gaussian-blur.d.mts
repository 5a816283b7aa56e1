/** Types of gaussian-blur.mjs (separable Gaussian smoothing of YX planes). */
import type { PixelArray } from '@bioimageit/core';
export declare function gaussianKernel(sigma: number): Float64Array;
export declare function blurPlanes(data: ArrayLike<number>, planes: number, height: number, width: number, sigma: number): Float64Array;
export declare function gaussianBlur(pixels: PixelArray, sigma: number): PixelArray;
