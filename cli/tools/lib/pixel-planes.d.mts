/** Types of pixel-planes.mjs (plane geometry and pixel-type conversion of the bundled tools). */
export type PixelData = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
export declare function checkPlanes(pixels: { readonly shape: readonly number[]; readonly axes: string }): { planes: number; height: number; width: number };
export declare function isIntegerDtype(dtype: string): boolean;
export declare function convertToDtype(values: ArrayLike<number>, dtype: string): PixelData;
