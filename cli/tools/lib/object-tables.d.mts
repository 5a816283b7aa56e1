/** Types of object-tables.mjs (the CSV rows of count-objects and summarize). */
export declare const OBJECT_COLUMNS: readonly string[];
export declare const VOLUME_OBJECT_COLUMNS: readonly string[];
export declare const SUMMARY_COLUMNS: readonly string[];
export declare function objectTableRows(objects: readonly { label: number; voxels: number; z: number; y: number; x: number }[]): string[][];
export declare function volumeObjectTableRows(
  volumes: readonly { t: number; c: number; channel: string; objects: readonly { label: number; voxels: number; z: number; y: number; x: number }[] }[],
): string[][];
export declare function summarizeObjectTable(rows: readonly (readonly string[])[], source: string): { objects: number; meanSize: number };
export declare function summaryTableRows(summaries: readonly { input: string; objects: number; meanSize: number }[]): string[][];
