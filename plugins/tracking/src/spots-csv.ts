import { ToolError } from '@bioimageit/core';
import { formatCsv } from '@bioimageit/core/formats';
import { readCsvTable, spotOfRecord } from './spots-csv-table.js';
import type { Spot } from './track-model.js';

/** Columns of the spots CSV, in order: physical position (z, y, x), then voxel position. */
export const SPOTS_CSV_COLUMNS = ['spot_id', 'z', 'y', 'x', 'z_px', 'y_px', 'x_px', 'quality', 'intensity', 'radius'] as const;

/** Voxel size of the detected image, physical units per voxel along each axis. */
export interface VoxelSize {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/**
 * Writes the detections of one frame (or any list of spots) as CSV, one row per spot in the order
 * given, with the header {@link SPOTS_CSV_COLUMNS}: `z,y,x` physical, `z_px,y_px,x_px` the same
 * position in voxels (physical / voxel size, origin at the centre of voxel 0), `radius` physical.
 * Numbers are written exactly (shortest round-trip form); records end with LF. The frame is not a
 * column: one file holds one frame. Throws ToolError `BAD_PARAMETER` for a voxel size that is not
 * a positive finite number.
 */
export function formatSpotsCsv(spots: readonly Spot[], voxel: VoxelSize): string {
  for (const axis of ['x', 'y', 'z'] as const) {
    if (!(voxel[axis] > 0 && Number.isFinite(voxel[axis])))
      throw new ToolError('BAD_PARAMETER', `voxel size along ${axis} must be positive, got ${voxel[axis]}`);
  }
  const rows = spots.map((s) => [s.id, s.z, s.y, s.x, s.z / voxel.z, s.y / voxel.y, s.x / voxel.x, s.quality, s.intensity, s.radius].map(String));
  return formatCsv([[...SPOTS_CSV_COLUMNS], ...rows], { newline: '\n' });
}

/**
 * Reads a spots CSV (as {@link formatSpotsCsv} writes it) into spots of `frame`: the physical
 * columns `spot_id,z,y,x,quality,intensity,radius` are required, in any order; the voxel columns
 * and any others are ignored. Throws FormatError `CORRUPT` naming the line and column for a missing
 * column, an empty or non-numeric cell (`quality`, `intensity` and `radius` may be `NaN`), a
 * non-integer or duplicate `spot_id`; ToolError
 * `BAD_PARAMETER` for a `frame` that is not a non-negative integer.
 */
export function parseSpotsCsv(text: string, frame: number): Spot[] {
  if (!Number.isSafeInteger(frame) || frame < 0) throw new ToolError('BAD_PARAMETER', `frame must be a non-negative integer, got ${frame}`);
  const seen = new Set<number>();
  return readCsvTable(text, ['spot_id', 'z', 'y', 'x', 'quality', 'intensity', 'radius'], 'spots CSV').map((r) => spotOfRecord(r, frame, seen));
}
