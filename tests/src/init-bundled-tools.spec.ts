import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '@bioimageit/core';
import { startServer } from '@bioimageit/server';
import { cli, tempDir, writeStack } from './cli-harness.js';
import { BUILT_CLI, startCli } from './cli-process.js';
import { findChromium, launchChromium, SCREENSHOTS } from '../../server/src/test-support/browser.js';

const chromium = findChromium();

const BUNDLED = ['bioimageit.count-objects', 'bioimageit.extract-channel', 'bioimageit.gaussian-blur', 'bioimageit.summarize', 'bioimageit.threshold'];

let dir: { path: string; cleanup: () => Promise<void> };
let ws: string;
beforeAll(async () => {
  dir = await tempDir('biit-init-tools-');
  ws = join(dir.path, 'ws');
  const init = await cli(dir.path, ['init', 'ws', '--user', 'ada']);
  expect(init.code, init.stderr).toBe(0);
});
afterAll(() => dir.cleanup());

describe('bioimageit init: the bundled tools, at once', () => {
  it('names them by package in the config, not by a path of this machine', async () => {
    const config = JSON.parse(await readFile(join(ws, 'bioimageit.config.json'), 'utf8')) as { tools?: { dirs?: string[] } };
    expect(config.tools).toEqual({ dirs: ['@bioimageit/cli/tools'] });
    const bare = await cli(dir.path, ['init', 'bare', '--no-bundled-tools']);
    expect(bare.code, bare.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir.path, 'bare', 'bioimageit.config.json'), 'utf8'))).not.toHaveProperty('tools');
  });

  it('lists them in a fresh workspace, from the sources and from the built command', async () => {
    const listed = await cli(ws, ['tools', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const { tools, problems } = JSON.parse(listed.stdout) as { tools: { id: string }[]; problems: unknown[] };
    expect(tools.map((t) => t.id)).toEqual(BUNDLED);
    expect(problems).toEqual([]);
    const built = await startCli(BUILT_CLI, ['tools', 'list'], ws).done;
    expect(built.code, built.stderr).toBe(0);
    for (const id of BUNDLED) expect(built.stdout).toContain(id);
  }, 120_000);

  it('runs one of them on an imported image', async () => {
    await mkdir(join(dir.path, 'incoming'));
    await writeStack(join(dir.path, 'incoming', 'a_001.tif'), 1);
    expect((await cli(ws, ['experiment', 'create', 'Plate'])).code).toBe(0);
    const imported = await cli(ws, ['import', join(dir.path, 'incoming'), '-e', 'Plate']);
    expect(imported.code, imported.stderr).toBe(0);
    const run = await cli(ws, ['run', 'bioimageit.gaussian-blur', '-e', 'Plate', '-i', 'image=data', '-o', 'blurred']);
    expect(run.code, run.stderr).toBe(0);
    const kernel = await createKernel({ workspace: ws, env: {} });
    try {
      const store = await kernel.openExperiment('Plate');
      expect((await store.items('blurred')).map((i) => [i.format, i.metadata.shape])).toEqual([['imagetiff', [2, 8, 8]]]);
      await store.close();
    } finally {
      await kernel.dispose();
    }
  });

  it('shows them in the REST API tool list', async () => {
    const kernel: Kernel = await createKernel({ workspace: ws, env: {} });
    const server = await startServer({ kernel, port: 0, log: () => undefined });
    try {
      const response = await fetch(new URL('api/tools', server.url));
      expect(response.status).toBe(200);
      expect(((await response.json()) as { id: string }[]).map((t) => t.id)).toEqual(BUNDLED);
      // and the GUI's "Run a tool" tab lists them, in a real browser when Chromium is here
      if (chromium !== undefined) {
        const browser = await launchChromium(chromium);
        try {
          const page = await browser.newPage();
          await page.goto(server.url);
          // the app wires its tabs once it has loaded the experiments: wait for the data table first (CI is slow)
          await page.locator('table.items tbody tr').first().waitFor({ timeout: 60_000 });
          await page.locator('#tab-tools').click();
          await page.locator('.tool-list .tool-button').first().waitFor({ timeout: 60_000 });
          expect(
            (
              await page
                .locator('.tool-list .tool-button[data-tool]')
                .evaluateAll((b) => b.map((e) => (e as unknown as { dataset: { tool: string } }).dataset.tool))
            ).sort(),
          ).toEqual(BUNDLED);
          await page.screenshot({ path: join(SCREENSHOTS, 'init-run-a-tool.png') });
        } finally {
          await browser.close();
        }
      }
    } finally {
      await server.close();
      await kernel.dispose();
    }
  }, 180_000);
});
