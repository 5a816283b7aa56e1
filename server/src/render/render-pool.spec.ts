import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTiff } from '@bioimageit/core';
import { startWorker } from './render-pool.js';

const built = new URL('../../dist/render/preview-worker.js', import.meta.url);

/**
 * The preview worker as the installed server starts it (its built file, not the tsx dev entry the
 * other tests use): it must load geotiff and draw. A worker thread started without workerData
 * crashed on geotiff's import ("Cannot destructure property 'mod' of 'threads.workerData'"), which
 * only the built server met.
 */
describe.skipIf(!existsSync(fileURLToPath(built)))('built preview worker', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'biit-built-worker-'));
    await writeTiff(join(dir, 'plane.tif'), { data: new Uint16Array(12).map((_, i) => i * 100), shape: [3, 4], axes: 'YX', dtype: 'uint16' });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('draws a TIFF plane as PNG', async () => {
    const worker = startWorker(built);
    try {
      const reply = await new Promise<{ id: number; result?: { width: number; height: number; png: Uint8Array }; error?: unknown }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ id: 7, job: { kind: 'draw', path: join(dir, 'plane.tif'), format: 'imagetiff', z: 0, size: 8, maxBytes: 2 ** 20 } });
      });
      expect(reply.error).toBeUndefined();
      expect(reply).toMatchObject({ id: 7, result: { width: 8, height: 6 } });
      expect([...reply.result!.png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    } finally {
      await worker.terminate();
    }
  });
});
