/** Types of image-volumes.mjs (channel / time-point selection and the (T, C) volumes of an image). */
import type { ChannelMetadata, PixelArray } from '@bioimageit/core';
export declare function axisSize(image: { readonly shape: readonly number[]; readonly axes: string }, axis: string): number;
export declare function resolveChannel(
  spec: string,
  image: { readonly shape: readonly number[]; readonly axes: string; readonly channels?: readonly { name?: string }[] },
  path: string,
): number;
export declare function readImage(
  path: string,
  selection?: { channel?: string; t?: number },
): Promise<{ pixels: PixelArray; channels: ChannelMetadata[] | undefined; c: number | undefined; t: number | undefined }>;
export declare function writeImage(path: string, pixels: PixelArray, channels: readonly ChannelMetadata[] | undefined): Promise<void>;
export declare function imageVolumes(pixels: { readonly shape: readonly number[]; readonly axes: string }): { t: number; c: number; planes: number[] }[];
export declare function gatherPlanes<T extends PixelArray['data']>(data: T, planes: readonly number[], planeSize: number): T;
export declare function scatterPlanes(
  target: { set(values: ArrayLike<number>, offset: number): void },
  planes: readonly number[],
  planeSize: number,
  values: ArrayLike<number> & { subarray(begin: number, end: number): ArrayLike<number> },
): void;
export declare function volumeLabel(
  pixels: { readonly axes: string },
  volume: { t: number; c: number },
  channels: readonly { name?: string }[] | undefined,
  fileChannel?: number,
): string;
