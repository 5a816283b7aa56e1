import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, readTiffPixels, type DataItem, type ExperimentStore, type Kernel } from '@bioimageit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SETTINGS, type ClusterContext } from './cluster-context.js';

const V1_FIXTURES = fileURLToPath(new URL('../../../tests/fixtures/v1/', import.meta.url));

/** Debian's python3, which has numpy and tifffile (the first python3 on PATH may not). */
const systemPython = (): string => execFileSync('sh', ['-c', 'command -p -v python3'], { encoding: 'utf8' }).trim();

/** A native tool exiting 3 (after writing to stderr) for inputs named `*_003.tif`, copying the others. */
const PICKY_COPY = {
  id: 'test.picky-copy',
  name: 'picky copy',
  version: '1.0.0',
  description: 'copies its input, fails with exit code 3 on *_003.tif',
  inputs: [{ name: 'i', type: 'data' }],
  outputs: [{ name: 'o', format: 'imagetiff' }],
  command: { argv: ['sh', '-c', 'case "$1" in *_003.tif) echo "refusing $1" >&2; exit 3;; esac; cp "$1" "$2"', 'sh', '{inputs.i}', '{outputs.o}'] },
};

/** A native tool that sleeps for a minute (cancellation target). */
const SLEEPER = {
  id: 'test.sleeper',
  name: 'sleeper',
  version: '1.0.0',
  description: 'sleeps 60 s, then copies',
  inputs: [{ name: 'i', type: 'data' }],
  outputs: [{ name: 'o', format: 'imagetiff' }],
  command: { argv: ['sh', '-c', 'sleep 60; cp "$1" "$2"', 'sh', '{inputs.i}', '{outputs.o}'] },
};

const fileOf = (item: DataItem): string => fileURLToPath(item.dataUri);

/**
 * The job engine through the kernel with the plugin loaded from its package name, over a copy of
 * BioImageIT v1's exp100: the v1 wrapper biitthreshold over tagged items as one array job (pixels
 * equal to v1's own outputs), a failing job's exit code in the run record, the cache (nothing is
 * submitted again) and cancellation (scancel, nothing left in the queue).
 */
export function describeKernelRuns(context: () => ClusterContext): void {
  describe('runs through the kernel on the slurm runner', () => {
    let kernel: Kernel;
    let store: ExperimentStore;
    const saved: Record<string, string | undefined> = {};

    beforeAll(async () => {
      const { cluster, root } = context();
      const workspace = await mkdtemp(path.join(root, 'kernel-'));
      await cp(path.join(V1_FIXTURES, 'exp100'), path.join(workspace, 'exp100'), { recursive: true });
      await mkdir(path.join(workspace, 'tools'));
      for (const tool of [PICKY_COPY, SLEEPER]) await writeFile(path.join(workspace, 'tools', `${tool.id}.tool.json`), JSON.stringify(tool));
      const config = {
        user: { name: 'tester' },
        plugins: ['@bioimageit/local-fs', '@bioimageit/slurm-runner'],
        tools: { dirs: [path.join(V1_FIXTURES, 'tools'), 'tools'] },
        env: { python: systemPython() },
      };
      await writeFile(path.join(workspace, 'bioimageit.config.json'), JSON.stringify(config));
      const variables: Record<string, string> = {
        SLURM_CONF: cluster.env['SLURM_CONF'] as string,
        BIOIMAGEIT_SLURM_POLL_MIN_MS: String(TEST_SETTINGS.pollMinMs),
        BIOIMAGEIT_SLURM_POLL_MAX_MS: String(TEST_SETTINGS.pollMaxMs),
        BIOIMAGEIT_SLURM_KILL_GRACE_MS: String(TEST_SETTINGS.killGraceMs),
        BIOIMAGEIT_SLURM_BATCH_IDLE_MS: '500',
      };
      for (const [name, value] of Object.entries(variables)) {
        saved[name] = process.env[name];
        process.env[name] = value;
      }
      kernel = await createKernel({ workspace, env: { PATH: process.env['PATH'] ?? '' } });
      store = await kernel.openExperiment(path.join(workspace, 'exp100'));
    });

    afterAll(async () => {
      await kernel?.dispose();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it("runs v1's biitthreshold over tagged items as one array job, with v1's pixels and SLURM ids in provenance", async () => {
      const query = 'Population=population1 AND number>2 AND number<20';
      const { record } = await kernel.runTool(store, { tool: 'biitthreshold', inputs: [{ name: 'i', query }], params: { threshold: 128 }, outputDataset: 'threshold-slurm', runner: 'slurm', jobs: 16 });
      expect(record.status, JSON.stringify(record.jobs.find((j) => j.status !== 'succeeded'))).toBe('succeeded');
      expect(record.runner).toBe('slurm');
      const selected = await kernel.query(store, query);
      expect(selected.length).toBeGreaterThan(4);
      expect(record.jobs.length).toBe(selected.length);
      const environments = record.jobs.map((j) => j.environment as Record<string, unknown>);
      expect(environments.every((e) => e['runner'] === 'slurm' && e['state'] === 'COMPLETED')).toBe(true);
      expect(new Set(environments.map((e) => e['arrayJobId'])).size).toBe(1);
      expect(environments.map((e) => Number(e['arrayTaskId'])).sort((a, b) => a - b)).toEqual(selected.map((_, i) => i));
      expect(environments.map((e) => e['slurmJobId'])).toEqual(environments.map((e) => `${String(e['arrayJobId'])}_${String(e['arrayTaskId'])}`));
      const items = await store.items('threshold-slurm');
      expect(items).toHaveLength(selected.length);
      for (const item of items) {
        const v1 = path.join(V1_FIXTURES, 'exp100', 'threshold', path.basename(fileOf(item)));
        const [ours, theirs] = await Promise.all([readTiffPixels(fileOf(item)), readTiffPixels(v1)]);
        expect(ours.shape).toEqual(theirs.shape);
        expect(Buffer.from(ours.data.buffer).equals(Buffer.from(theirs.data.buffer)), item.name).toBe(true);
      }
      const plugin = kernel.plugins().find((p) => p.id === 'slurm-runner');
      expect(plugin?.state).toBe('active');
    });

    it('repeats a run from the cache without submitting anything to SLURM', async () => {
      const query = 'Population=population1 AND number>2 AND number<20';
      const { record } = await kernel.runTool(store, { tool: 'biitthreshold', inputs: [{ name: 'i', query }], params: { threshold: 128 }, outputDataset: 'threshold-slurm', runner: 'slurm', jobs: 16 });
      expect(record.status).toBe('succeeded');
      expect(record.jobs.length).toBeGreaterThan(4);
      expect(record.jobs.every((j) => j.status === 'cached')).toBe(true);
      expect(record.jobs.every((j) => j.environment === undefined)).toBe(true);
    });

    it("records a failing job's exit code, SLURM id and stderr in the run record; the others succeed", async () => {
      const query = 'Population=population1 AND number<=5';
      const { record } = await kernel.runTool(store, { tool: 'test.picky-copy', inputs: [{ name: 'i', query }], outputDataset: 'picky', runner: 'slurm', jobs: 8 });
      expect(record.status).toBe('partial');
      const failed = record.jobs.filter((j) => j.status === 'failed');
      expect(failed).toHaveLength(1);
      const job = failed[0];
      expect(job?.exitCode).toBe(3);
      expect(job?.error).toContain('exited with code 3');
      const environment = job?.environment as Record<string, unknown>;
      expect(environment['state']).toBe('FAILED');
      expect(String(environment['slurmJobId'])).toMatch(/^\d+(_\d+)?$/);
      expect(job?.stderr).toBeDefined();
      const stderr = await readFile(path.join(fileURLToPath(store.uri), 'picky', job?.stderr as string), 'utf8');
      expect(stderr).toMatch(/refusing .*population1_003\.tif/);
      expect(record.jobs.filter((j) => j.status === 'succeeded')).toHaveLength(2);
    });

    it('cancels a run: scancel reaches every running and pending task, nothing stays queued, nothing is committed', async () => {
      const { cluster } = context();
      const controller = new AbortController();
      const query = 'Population=population2 AND number<=8';
      const pending = kernel.runTool(store, { tool: 'test.sleeper', inputs: [{ name: 'i', query }], outputDataset: 'slept', runner: 'slurm', jobs: 8, signal: controller.signal });
      const until = Date.now() + 30_000;
      while (!(await cluster.activeJobs()).some((line) => line.endsWith('RUNNING'))) {
        if (Date.now() > until) throw new Error('the sleeper jobs never started');
        await new Promise((r) => setTimeout(r, 100));
      }
      controller.abort();
      const { record } = await pending;
      expect(record.status).toBe('cancelled');
      expect(record.jobs.every((j) => j.status === 'cancelled')).toBe(true);
      expect(record.jobs.some((j) => String(j.error).includes('scancel'))).toBe(true);
      expect(await cluster.activeJobs()).toEqual([]);
      expect(await store.items('slept').catch(() => [])).toHaveLength(0);
    });
  });
}
