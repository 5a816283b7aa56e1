/** Types of connected-components.mjs (2-D / 3-D connected-component labelling). */
export type Connectivity = 'face' | 'full';
export interface LabelledObject {
  readonly label: number;
  readonly voxels: number;
  readonly z: number;
  readonly y: number;
  readonly x: number;
}
export declare function neighbourOffsets(is3d: boolean, connectivity: Connectivity): [number, number, number][];
export declare function labelComponents(
  mask: ArrayLike<number>,
  shape: { depth: number; height: number; width: number; connectivity?: Connectivity; minSize?: number },
): { labels: Int32Array; objects: LabelledObject[] };
