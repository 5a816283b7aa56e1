import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, writeTiff, type Kernel } from '@bioimageit/core';
import { startServer, type RunningServer, type ServeOptions } from '../start-server.js';

/** Repository root (server/src/test-support → ../../..). */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** BioImageIT v1's exp100, as kept in the repository (never written to: tests copy it). */
export const EXP100 = join(REPO, 'tests/fixtures/v1/exp100');
/** The native tools bundled with the CLI (Node scripts: blur, threshold, count objects, summarize). */
export const BUNDLED_TOOLS = join(REPO, 'cli/tools');

/** A temporary workspace with a copy of exp100 (plus one 3-D stack) served on 127.0.0.1. */
export interface ServedFixture {
  readonly dir: string;
  readonly kernel: Kernel;
  readonly server: RunningServer;
  /** Id of the exp100 copy. */
  readonly experimentId: string;
  /** `server.url` without the trailing slash, for `${base}/api/...`. */
  readonly base: string;
  cleanup(): Promise<void>;
}

/**
 * Copies exp100 into a fresh workspace whose tools are the CLI's bundled tools, imports one
 * synthetic 5-plane OME-TIFF stack (`stack_blobs.ome.tif`, tagged Population=stacks) so previews
 * have a z axis, and starts a server on a free port.
 */
export async function serveFixture(prefix: string, options: Partial<Omit<ServeOptions, 'kernel'>> = {}): Promise<ServedFixture> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await cp(EXP100, join(dir, 'exp100'), { recursive: true });
  const config = { user: { name: 'tester' }, experiments: '.', plugins: ['@bioimageit/local-fs'], tools: { dirs: [BUNDLED_TOOLS] } };
  await writeFile(join(dir, 'bioimageit.config.json'), JSON.stringify(config, null, 2));
  const incoming = join(dir, 'incoming');
  await mkdir(incoming);
  await writeStack(join(incoming, 'stack_blobs.ome.tif'));
  const kernel = await createKernel({ workspace: dir, env: {} });
  const store = await kernel.openExperiment(join(dir, 'exp100'));
  await kernel.importData(store, incoming, { tagRules: [{ kind: 'set', tags: { Population: 'stacks', number: '900' } }] });
  const experimentId = (await store.info()).id;
  const server = await startServer({ kernel, port: 0, log: () => undefined, ...options });
  return {
    dir,
    kernel,
    server,
    experimentId,
    base: server.url.replace(/\/$/, ''),
    async cleanup() {
      await server.close();
      await kernel.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A 5×48×64 uint16 stack with one bright blob whose z position moves: each plane differs. */
async function writeStack(path: string): Promise<void> {
  const [sz, sy, sx] = [5, 48, 64];
  const data = new Uint16Array(sz * sy * sx);
  for (let z = 0; z < sz; z++) {
    for (let y = 0; y < sy; y++) {
      for (let x = 0; x < sx; x++) {
        const d2 = (x - 12 - z * 10) ** 2 + (y - 24) ** 2;
        data[(z * sy + y) * sx + x] = 100 + Math.round(3000 * Math.exp(-d2 / 40)) + ((x * 7 + y * 13) % 17);
      }
    }
  }
  await writeTiff(path, { data, shape: [sz, sy, sx], dtype: 'uint16', axes: 'ZYX' }, { ome: true });
}
