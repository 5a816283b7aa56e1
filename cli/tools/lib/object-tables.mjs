/**
 * The CSV tables of the bundled tools as rows of strings (serialized with `formatCsv`, read with
 * `parseCsv` from `@bioimageit/core`): the per-object table of `count-objects` and the summary
 * of `summarize`. Pure functions, no I/O.
 */

/** Header of the table `count-objects` writes: one row per object. */
export const OBJECT_COLUMNS = Object.freeze(['label', 'voxels', 'centroid_z', 'centroid_y', 'centroid_x']);

/**
 * Header of the table `count-objects` writes for a mask of several (T, C) volumes: the time point
 * and channel indexes and the channel's name (empty when unnamed), then {@link OBJECT_COLUMNS}.
 */
export const VOLUME_OBJECT_COLUMNS = Object.freeze(['t', 'c', 'channel', ...OBJECT_COLUMNS]);

/** Header of the table `summarize` writes: one row per input table. */
export const SUMMARY_COLUMNS = Object.freeze(['input', 'objects', 'mean_size']);

/** A number as table text: integers as they are, others with at most 3 decimals. @param {number} n */
function num(n) {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

/**
 * The object table: the {@link OBJECT_COLUMNS} header, then one row per object.
 * @param {readonly { label: number; voxels: number; z: number; y: number; x: number }[]} objects
 * @returns {string[][]}
 */
export function objectTableRows(objects) {
  return [[...OBJECT_COLUMNS], ...objects.map((o) => [String(o.label), String(o.voxels), num(o.z), num(o.y), num(o.x)])];
}

/**
 * The object table of several volumes: the {@link VOLUME_OBJECT_COLUMNS} header, then one row per
 * object, volume by volume.
 * @param {readonly { t: number; c: number; channel: string; objects: readonly { label: number; voxels: number; z: number; y: number; x: number }[] }[]} volumes
 * @returns {string[][]}
 */
export function volumeObjectTableRows(volumes) {
  return [
    [...VOLUME_OBJECT_COLUMNS],
    ...volumes.flatMap((v) =>
      objectTableRows(v.objects)
        .slice(1)
        .map((row) => [String(v.t), String(v.c), v.channel, ...row]),
    ),
  ];
}

/**
 * What one object table says: how many objects and their mean size in voxels (`NaN` with no
 * objects). `rows` is the parsed table, header first; throws an Error naming `source` when the
 * header lacks a `voxels` column or a size is not a number.
 * @param {readonly (readonly string[])[]} rows
 * @param {string} source
 * @returns {{ objects: number; meanSize: number }}
 */
export function summarizeObjectTable(rows, source) {
  const header = rows[0];
  const column = header === undefined ? -1 : header.indexOf('voxels');
  if (column < 0) throw new Error(`${source}: not an object table (no 'voxels' column in the header)`);
  let total = 0;
  for (let r = 1; r < rows.length; r++) {
    const text = rows[r][column];
    const size = Number(text);
    if (text === undefined || text.trim() === '' || !Number.isFinite(size))
      throw new Error(`${source}: row ${r + 1} has no numeric 'voxels' value (got '${text ?? ''}')`);
    total += size;
  }
  const objects = rows.length - 1;
  return { objects, meanSize: objects === 0 ? NaN : total / objects };
}

/**
 * The summary table: the {@link SUMMARY_COLUMNS} header, then one row per input table (its name,
 * object count and mean object size; the mean is left empty for a table without objects).
 * @param {readonly { input: string; objects: number; meanSize: number }[]} summaries
 * @returns {string[][]}
 */
export function summaryTableRows(summaries) {
  return [[...SUMMARY_COLUMNS], ...summaries.map((s) => [s.input, String(s.objects), Number.isNaN(s.meanSize) ? '' : num(s.meanSize)])];
}
