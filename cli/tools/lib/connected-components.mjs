/**
 * Connected-component labelling of a binary mask in 2-D or 3-D, with per-object size and
 * centroid. Pure functions over typed arrays (no I/O), used by `count-objects.mjs` and
 * unit-tested from `cli/src/bundled-tools`.
 */

/**
 * Neighbour offsets `[dz, dy, dx]`: `face` connectivity joins voxels sharing a face (4 in 2-D,
 * 6 in 3-D), `full` also those sharing an edge or a corner (8 in 2-D, 26 in 3-D).
 * @param {boolean} is3d
 * @param {'face' | 'full'} connectivity
 * @returns {[number, number, number][]}
 */
export function neighbourOffsets(is3d, connectivity) {
  if (connectivity !== 'face' && connectivity !== 'full') throw new RangeError(`connectivity must be 'face' or 'full', got '${connectivity}'`);
  const offsets = [];
  const zs = is3d ? [-1, 0, 1] : [0];
  for (const dz of zs) {
    for (const dy of [-1, 0, 1]) {
      for (const dx of [-1, 0, 1]) {
        const steps = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (steps === 0 || (connectivity === 'face' && steps > 1)) continue;
        offsets.push([dz, dy, dx]);
      }
    }
  }
  return offsets;
}

/**
 * Labels the connected foreground (non-zero) voxels of a `depth` × `height` × `width` mask (C
 * order; `depth` 1 for a 2-D image, which then uses 2-D connectivity). Objects are numbered 1, 2, …
 * in raster order of their first voxel; objects smaller than `minSize` voxels are dropped (their
 * voxels labelled 0) and the rest renumbered without gaps. Each object reports its voxel count and
 * centroid (mean z, y, x in pixels).
 * @param {ArrayLike<number>} mask
 * @param {{ depth: number; height: number; width: number; connectivity?: 'face' | 'full'; minSize?: number }} shape
 * @returns {{ labels: Int32Array; objects: { label: number; voxels: number; z: number; y: number; x: number }[] }}
 */
export function labelComponents(mask, { depth, height, width, connectivity = 'face', minSize = 1 }) {
  const size = depth * height * width;
  if (mask.length !== size) throw new RangeError(`expected ${size} voxels (${depth} × ${height} × ${width}), got ${mask.length}`);
  const offsets = neighbourOffsets(depth > 1, connectivity);
  const labels = new Int32Array(size);
  const queue = new Int32Array(size);
  const found = [];
  const plane = height * width;
  for (let start = 0; start < size; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    const label = found.length + 1;
    let head = 0;
    let tail = 0;
    let sz = 0;
    let sy = 0;
    let sx = 0;
    labels[start] = label;
    queue[tail++] = start;
    while (head < tail) {
      const v = queue[head++];
      const z = Math.floor(v / plane);
      const y = Math.floor((v - z * plane) / width);
      const x = v - z * plane - y * width;
      sz += z;
      sy += y;
      sx += x;
      for (const [dz, dy, dx] of offsets) {
        const nz = z + dz;
        const ny = y + dy;
        const nx = x + dx;
        if (nz < 0 || ny < 0 || nx < 0 || nz >= depth || ny >= height || nx >= width) continue;
        const n = nz * plane + ny * width + nx;
        if (mask[n] === 0 || labels[n] !== 0) continue;
        labels[n] = label;
        queue[tail++] = n;
      }
    }
    found.push({ label, voxels: tail, z: sz / tail, y: sy / tail, x: sx / tail });
  }
  const renumber = new Int32Array(found.length + 1);
  const objects = [];
  for (const object of found) {
    if (object.voxels < minSize) continue;
    renumber[object.label] = objects.length + 1;
    objects.push({ ...object, label: objects.length + 1 });
  }
  if (objects.length !== found.length) for (let i = 0; i < size; i++) labels[i] = renumber[labels[i]];
  return { labels, objects };
}
