/** Types of otsu-threshold.mjs (Otsu's threshold and binary masks). */
export declare function otsuThreshold(data: ArrayLike<number>, integer?: boolean): number;
export declare function thresholdMask(data: ArrayLike<number>, threshold: number): Uint8Array;
