import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, defaultConfig, type Kernel } from '@bioimageit/core';
import { lockLines, type LockedPackage } from './conda-lock.js';
import { hasCph, stampToolBody, testChannel, type ChannelFixture } from './test-support/test-packages.js';

const cph = await hasCph();
if (!cph && process.env['CI'] !== 'true') console.warn('conda-runner kernel suite skipped: cph (Debian conda-package-handling) is not installed');

describe.runIf(cph || process.env['CI'] === 'true')('conda runner in a workspace: plugin loaded from its manifest, tool run over an experiment', () => {
  let fixture: ChannelFixture;
  let ws: string;
  let kernel: Kernel;
  const saved = process.env['BIOIMAGEIT_CONDA_COMMAND'];

  beforeAll(async () => {
    fixture = await testChannel();
    ws = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-ws-'));
    await mkdir(path.join(ws, 'tools'));
    await mkdir(path.join(ws, 'incoming'));
    for (const n of ['001', '002', '003']) await writeFile(path.join(ws, 'incoming', `p1_${n}.csv`), `sample,value\np1_${n},${Number(n)}\n`);
    await writeFile(path.join(ws, 'tools', 'stamp.tool.json'), JSON.stringify(stampToolBody(fixture.channel.url)));
    process.env['BIOIMAGEIT_CONDA_COMMAND'] = 'embedded'; // CI has no conda command; a developer's machine may
    kernel = await createKernel({ config: { ...defaultConfig(ws, 'tester'), plugins: ['@bioimageit/local-fs', '@bioimageit/conda-runner'], tools: { dirs: ['tools'] } } });
  });
  afterAll(async () => {
    await kernel?.dispose();
    if (saved === undefined) delete process.env['BIOIMAGEIT_CONDA_COMMAND'];
    else process.env['BIOIMAGEIT_CONDA_COMMAND'] = saved;
    await fixture?.cleanup();
    if (ws !== undefined) await rm(ws, { recursive: true, force: true });
  });

  const locksOf = (jobs: readonly { environment?: Readonly<Record<string, unknown>> }[]): LockedPackage[][] =>
    jobs.map((j) => (j.environment?.['conda'] as { lock: LockedPackage[] }).lock);

  it('runs the tool in its environment over every item, records the lock in the run, and reuses the environment', async () => {
    const store = await kernel.createExperiment({ name: 'Plate', author: 'tester' });
    await kernel.importData(store, path.join(ws, 'incoming'));
    const { record } = await kernel.runTool(store, { tool: 'test.stamp', inputs: [{ name: 'i' }], outputDataset: 'stamped' });
    expect(record.status).toBe('succeeded');
    expect(record.runner).toBe('conda');
    expect(record.jobs).toHaveLength(3);
    expect(locksOf(record.jobs).map(lockLines)).toEqual(Array(3).fill(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']));
    const items = await store.items('stamped');
    const prefix = (record.jobs[0]?.environment?.['conda'] as { prefix: string }).prefix;
    expect(path.dirname(prefix)).toBe(path.join(ws, '.bioimageit', 'envs'));
    for (const item of items) {
      const text = await readFile(fileURLToPath(item.dataUri), 'utf8');
      expect(text).toContain('activated,activate.d of biit-lib 2.0.0');
      expect(text).toContain(`prefix,${prefix}`);
    }
    const stored = (await store.listRuns('stamped')).at(-1);
    expect(locksOf(stored?.jobs ?? []).map(lockLines)).toEqual(Array(3).fill(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']));

    const requests = new Map(fixture.channel.requests);
    const second = await kernel.runTool(store, { tool: 'test.stamp', inputs: [{ name: 'i' }], outputDataset: 'stamped-again', cache: false });
    expect(second.record.jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect((second.record.jobs[0]?.environment?.['conda'] as { createdAt: string }).createdAt).toBe((record.jobs[0]?.environment?.['conda'] as { createdAt: string }).createdAt);
    expect(fixture.channel.requests).toEqual(requests);
    expect((await readdir(path.join(ws, '.bioimageit', 'envs'))).filter((n) => !n.startsWith('.'))).toEqual([path.basename(prefix)]);
  });
});
