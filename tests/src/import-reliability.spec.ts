import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, defaultConfig, encodeTiff } from '@bioimageit/core';
import { DEFAULT_PLUGINS } from '@bioimageit/cli';
import { cli, tempDir } from './cli-harness.js';
import { BUILT_CLI, startCli } from './cli-process.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('biit-rel-');
});
afterEach(async () => {
  await dir.cleanup();
});

async function writeFiles(folder: string, count: number, prefix: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(16 * 16).map((_, j) => (i + j) % 256);
    await writeFile(join(folder, `${prefix}_${String(i).padStart(4, '0')}.tif`), encodeTiff({ data, shape: [16, 16], dtype: 'uint8', axes: 'YX' }));
  }
}

async function workspace(): Promise<string> {
  const ws = join(dir.path, 'ws');
  expect((await cli(dir.path, ['init', ws])).code).toBe(0);
  expect((await cli(ws, ['experiment', 'create', 'exp'])).code).toBe(0);
  return ws;
}

/** Every JSON file of the experiment parses, and every listed item has its data with the recorded checksum. */
async function checkExperiment(ws: string): Promise<number> {
  const expDir = join(ws, 'exp');
  for (const folder of [expDir, join(expDir, 'data')]) {
    for (const name of await readdir(folder)) {
      if (name.endsWith('.json')) expect(() => JSON.parse(readFileSync(join(folder, name), 'utf8')), `${name} is complete JSON`).not.toThrow();
    }
  }
  const kernel = await createKernel({ config: defaultConfig(ws, 'checker', DEFAULT_PLUGINS) });
  const store = await kernel.openExperiment(expDir);
  const items = await store.items();
  for (const item of items) {
    const bytes = await readFile(fileURLToPath(item.dataUri));
    expect(createHash('sha256').update(bytes).digest('hex'), item.name).toBe(item.sha256);
  }
  await kernel.dispose();
  return items.length;
}

describe('import reliability (real processes)', () => {
  it('kill -9 in the middle of an import leaves a readable experiment, and --skip-existing completes it', async () => {
    const ws = await workspace();
    const incoming = join(dir.path, 'incoming');
    await writeFiles(incoming, 1500, 'img');
    const { child, done } = startCli(BUILT_CLI, ['import', incoming, '-e', 'exp'], ws, { BIOIMAGEIT_IMPORT_BATCH_SIZE: '25' });
    const dataDir = join(ws, 'exp', 'data');
    for (;;) {
      const n = (await readdir(dataDir)).filter((f) => f.endsWith('.md.json')).length;
      if (n > 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    const result = await done;
    expect(result.signal).toBe('SIGKILL');
    const partial = await checkExperiment(ws);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(1500);
    const resume = await startCli(BUILT_CLI, ['import', incoming, '-e', 'exp', '--skip-existing'], ws).done;
    expect(resume.stderr).toBe('');
    expect(resume.code).toBe(0);
    expect(await checkExperiment(ws)).toBe(1500);
  });

  it('two concurrent imports into one experiment lose no item', async () => {
    const ws = await workspace();
    await writeFiles(join(dir.path, 'a'), 300, 'a');
    await writeFiles(join(dir.path, 'b'), 300, 'b');
    const env = { BIOIMAGEIT_IMPORT_BATCH_SIZE: '10' };
    const [ra, rb] = await Promise.all([
      startCli(BUILT_CLI, ['import', join(dir.path, 'a'), '-e', 'exp'], ws, env).done,
      startCli(BUILT_CLI, ['import', join(dir.path, 'b'), '-e', 'exp'], ws, env).done,
    ]);
    expect([ra.code, rb.code, ra.stderr, rb.stderr]).toEqual([0, 0, '', '']);
    expect(await checkExperiment(ws)).toBe(600);
  });
});
