import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, defaultConfig, type Kernel } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { lockLines, type LockedPackage } from './conda-lock.js';
import { lockDigest } from './lock-provenance.js';
import { cphMissing, stampToolBody, testChannel, type ChannelFixture } from './test-support/test-packages.js';

describe.skipIf(skipWithout('cph', await cphMissing(), import.meta.url))(
  'conda runner in a workspace: plugin loaded from its manifest, tool run over an experiment',
  () => {
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
      await mkdir(path.join(ws, 'tools', 'biitstamp'));
      await writeFile(
        path.join(ws, 'tools', 'biitstamp', 'biitstamp.xml'),
        [
          '<tool id="biitstamp" name="biitstamp" version="1.0.0">',
          '    <description>v1 wrapper of the stamp tool</description>',
          '    <requirements>',
          `        <package type="conda" env="biitstamp">-c ${fixture.channel.url} biit-stamp</package>`,
          '    </requirements>',
          '    <command detect_errors="exit_code"><![CDATA[',
          '        biit-stamp ${i} ${o}',
          '    ]]></command>',
          '    <inputs><param type="data" name="i" format="tablecsv" label="Input table" /></inputs>',
          '    <outputs><data name="o" format="tablecsv" label="Stamped table" /></outputs>',
          '</tool>',
        ].join('\n'),
      );
      process.env['BIOIMAGEIT_CONDA_COMMAND'] = 'embedded'; // CI has no conda command; a developer's machine may
      kernel = await createKernel({
        config: { ...defaultConfig(ws, 'tester'), plugins: ['@bioimageit/local-fs', '@bioimageit/conda-runner'], tools: { dirs: ['tools'] } },
      });
    });
    afterAll(async () => {
      await kernel?.dispose();
      if (saved === undefined) delete process.env['BIOIMAGEIT_CONDA_COMMAND'];
      else process.env['BIOIMAGEIT_CONDA_COMMAND'] = saved;
      await fixture?.cleanup();
      if (ws !== undefined) await rm(ws, { recursive: true, force: true });
    });

    type CondaFacts = { lock?: LockedPackage[]; lockIn?: string; lockSha256: string; prefix: string; name?: string; createdAt: string };
    const condaOf = (job: { environment?: Readonly<Record<string, unknown>> }): CondaFacts => job.environment?.['conda'] as CondaFacts;
    /** Each job's lock, followed to the job that records it (`lockIn`), checked against the job's lockSha256. */
    const locksOf = (jobs: readonly { id: string; environment?: Readonly<Record<string, unknown>> }[]): string[][] =>
      jobs.map((j) => {
        const facts = condaOf(j);
        const holder = facts.lock !== undefined ? facts : condaOf(jobs.find((k) => k.id === facts.lockIn) ?? {});
        expect(holder.lockSha256).toBe(facts.lockSha256);
        expect(facts.lockSha256).toBe(lockDigest(holder.lock ?? []));
        return lockLines(holder.lock ?? []);
      });

    it('runs the tool in its environment over every item, records the lock in the run, and reuses the environment', async () => {
      const store = await kernel.createExperiment({ name: 'Plate', author: 'tester' });
      await kernel.importData(store, path.join(ws, 'incoming'));
      const { record } = await kernel.runTool(store, { tool: 'test.stamp', inputs: [{ name: 'i' }], outputDataset: 'stamped' });
      expect(record.status).toBe('succeeded');
      expect(record.runner).toBe('conda');
      expect(record.jobs).toHaveLength(3);
      expect(locksOf(record.jobs)).toEqual(Array(3).fill(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']));
      expect(record.jobs.map((j) => condaOf(j).lockIn)).toEqual([undefined, 'job-0001', 'job-0001']); // the whole list once per run
      const items = await store.items('stamped');
      const prefix = (record.jobs[0]?.environment?.['conda'] as { prefix: string }).prefix;
      expect(path.dirname(prefix)).toBe(path.join(ws, '.bioimageit', 'envs'));
      for (const item of items) {
        const text = await readFile(fileURLToPath(item.dataUri), 'utf8');
        expect(text).toContain('activated,activate.d of biit-lib 2.0.0');
        expect(text).toContain(`prefix,${prefix}`);
      }
      const stored = (await store.listRuns('stamped')).at(-1);
      expect(locksOf(stored?.jobs ?? [])).toEqual(Array(3).fill(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']));

      const requests = new Map(fixture.channel.requests);
      const second = await kernel.runTool(store, { tool: 'test.stamp', inputs: [{ name: 'i' }], outputDataset: 'stamped-again', cache: false });
      expect(second.record.jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect(condaOf(second.record.jobs[0] ?? {}).createdAt).toBe(condaOf(record.jobs[0] ?? {}).createdAt);
      expect(locksOf(second.record.jobs)).toEqual(Array(3).fill(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0'])); // a new run records it again
      expect(fixture.channel.requests).toEqual(requests);
      expect((await readdir(path.join(ws, '.bioimageit', 'envs'))).filter((n) => !n.startsWith('.'))).toEqual([path.basename(prefix)]);
    });

    it('runs a v1 XML wrapper declaring <package type="conda"> in the environment shared with the native tool', async () => {
      const store = await kernel.openExperiment('Plate');
      const { record } = await kernel.runTool(store, { tool: 'biitstamp_v1.0.0', inputs: [{ name: 'i' }], outputDataset: 'v1stamped' });
      expect(record).toMatchObject({ status: 'succeeded', runner: 'conda' });
      const facts = record.jobs.map(condaOf);
      expect(locksOf(record.jobs)).toEqual(Array(3).fill(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']));
      expect(facts[0]?.name).toBe('biitstamp');
      expect((await readdir(path.join(ws, '.bioimageit', 'envs'))).filter((n) => !n.startsWith('.'))).toEqual([path.basename(facts[0]?.prefix ?? '')]);
      const text = await readFile(fileURLToPath((await store.items('v1stamped'))[0]?.dataUri ?? ''), 'utf8');
      expect(text).toContain('activated,activate.d of biit-lib 2.0.0');
    });
  },
);
