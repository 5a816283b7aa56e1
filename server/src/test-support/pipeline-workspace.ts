import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTiff } from '@bioimageit/core';
import { BUNDLED_TOOLS } from './fixture-workspace.js';
import { serveScratchWorkspace, type ScratchWorkspace } from './scratch-workspace.js';

/** Blur then threshold, with the bundled tools: the small pipeline of the pipeline tests. */
export const BLUR_THRESHOLD = {
  name: 'blur-threshold',
  steps: [
    { name: 'blur', tool: 'bioimageit.gaussian-blur', params: { sigma: 1 }, inputs: [{ name: 'image', dataset: 'data' }], outputDataset: 'blurred' },
    { name: 'threshold', tool: 'bioimageit.threshold', params: { method: 'otsu' }, inputs: [{ name: 'image', step: 'blur' }], outputDataset: 'mask' },
  ],
};

/** A first step whose tool always fails, and a second step reading from it. */
export const FAILING = {
  name: 'fails-early',
  steps: [
    { name: 'break', tool: 'test.fail', params: {}, inputs: [{ name: 'i', dataset: 'data' }], outputDataset: 'broken' },
    { name: 'after', tool: 'bioimageit.threshold', params: { method: 'otsu' }, inputs: [{ name: 'image', step: 'break' }], outputDataset: 'never' },
  ],
};

/**
 * A served workspace for pipelines: the bundled tools plus `test.fail` (exits 3 after a line on
 * stderr), three 32×32 uint8 images with a bright disc each in `data`, and in `pipelines/` the
 * files {@link BLUR_THRESHOLD}, {@link FAILING} and `broken.json` (not a pipeline).
 */
export function servePipelineWorkspace(prefix: string): Promise<ScratchWorkspace> {
  return serveScratchWorkspace(prefix, {
    toolDirs: [BUNDLED_TOOLS],
    tools: [
      {
        id: 'test.fail',
        name: 'Always fails (test)',
        inputs: [{ name: 'i', type: 'data' }],
        outputs: [{ name: 'o', format: 'imagetiff' }],
        command: { argv: ['sh', '-c', 'echo "cannot read $1" >&2; exit 3', 'sh', '{inputs.i}'] },
      },
    ],
    prepare: async ({ dir, kernel, store }) => {
      await mkdir(join(dir, 'pipelines'));
      await writeFile(join(dir, 'pipelines', 'blur-threshold.json'), JSON.stringify(BLUR_THRESHOLD, null, 2));
      await writeFile(join(dir, 'pipelines', 'fails-early.json'), JSON.stringify(FAILING, null, 2));
      await writeFile(join(dir, 'pipelines', 'broken.json'), '{"name": "broken", "steps": []}');
      await mkdir(join(dir, 'incoming'));
      for (let n = 0; n < 3; n++) {
        const data = new Uint8Array(32 * 32);
        for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) data[y * 32 + x] = Math.hypot(x - 8 - 6 * n, y - 16) < 5 ? 220 : 20 + ((x * 7 + y * 3) % 9);
        await writeTiff(join(dir, 'incoming', `cells_${n + 1}.tif`), { data, shape: [32, 32], dtype: 'uint8', axes: 'YX' });
      }
      await kernel.importData(store, join(dir, 'incoming'));
    },
  });
}
