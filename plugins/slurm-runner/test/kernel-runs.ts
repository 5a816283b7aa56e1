import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, readTiffPixels, RunnerError, type DataItem, type ExperimentStore, type Kernel } from '@bioimageit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterContext, ClusterPythons } from './cluster-context.js';
import { slurmWorkspace, V1_FIXTURES } from './slurm-workspace.js';

const fileOf = (item: DataItem): string => fileURLToPath(item.dataUri);

/**
 * The job engine through the kernel with the plugin loaded from its package name, over a copy of
 * BioImageIT v1's exp100: the v1 wrapper biitthreshold over tagged items as one array job (pixels
 * equal to v1's own outputs), a failing job's exit code in the run record, the cache (nothing is
 * submitted again) and cancellation (scancel, nothing left in the queue).
 */
export function describeKernelRuns(context: () => ClusterContext, pythons: ClusterPythons): void {
  describe('runs through the kernel on the slurm runner', () => {
    let kernel: Kernel;
    let store: ExperimentStore;
    const saved: Record<string, string | undefined> = {};

    beforeAll(async () => {
      const ws = await slurmWorkspace(context(), 'kernel-', pythons.withTifffile ?? pythons.python);
      for (const [name, value] of Object.entries(ws.env)) {
        saved[name] = process.env[name];
        process.env[name] = value;
      }
      kernel = await createKernel({ workspace: ws.path, env: { PATH: process.env['PATH'] ?? '' } });
      store = await kernel.openExperiment(ws.exp);
    });

    afterAll(async () => {
      await kernel?.dispose();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it.skipIf(pythons.withTifffile === undefined)(
      "runs v1's biitthreshold over tagged items as one array job, with v1's pixels and SLURM ids in provenance",
      async () => {
        const query = 'Population=population1 AND number>2 AND number<20';
        const { record } = await kernel.runTool(store, {
          tool: 'biitthreshold',
          inputs: [{ name: 'i', query }],
          params: { threshold: 128 },
          outputDataset: 'threshold-slurm',
          runner: 'slurm',
          jobs: 16,
        });
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
      },
    );

    it.skipIf(pythons.withTifffile === undefined)('repeats a run from the cache without submitting anything to SLURM', async () => {
      const query = 'Population=population1 AND number>2 AND number<20';
      const { record } = await kernel.runTool(store, {
        tool: 'biitthreshold',
        inputs: [{ name: 'i', query }],
        params: { threshold: 128 },
        outputDataset: 'threshold-slurm',
        runner: 'slurm',
        jobs: 16,
      });
      expect(record.status).toBe('succeeded');
      expect(record.jobs.length).toBeGreaterThan(4);
      expect(record.jobs.every((j) => j.status === 'cached')).toBe(true);
      expect(record.jobs.every((j) => j.environment === undefined)).toBe(true);
    });

    it("records a failing job's exit code, SLURM id and stderr in the run record; the others succeed", async () => {
      const query = 'Population=population1 AND number<=5';
      const { record } = await kernel.runTool(store, {
        tool: 'test.picky-copy',
        inputs: [{ name: 'i', query }],
        outputDataset: 'picky',
        runner: 'slurm',
        jobs: 8,
      });
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

    it.skipIf(pythons.python === undefined)('records a job killed over its memory limit as failed, with the reason', async () => {
      const { record } = await kernel.runTool(store, {
        tool: 'test.greedy',
        inputs: [{ name: 'i', query: 'Population=population2 AND number<=2' }],
        outputDataset: 'greedy',
        runner: 'slurm',
        jobs: 2,
      });
      expect(record.status).toBe('failed');
      expect(record.jobs.length).toBeGreaterThan(0);
      for (const job of record.jobs) {
        expect(job.status).toBe('failed');
        expect(job.error).toMatch(/ran out of memory \(it used more than the --mem SLURM granted\) and was killed: .*exceeded memory limit/);
        expect((job.environment as Record<string, unknown>)['requested']).toEqual({ memoryMb: 64 });
      }
      expect(await store.items('greedy')).toHaveLength(0);
    });

    it('cancels a run: scancel reaches every running and pending task, nothing stays queued, nothing is committed', async () => {
      const { cluster } = context();
      const controller = new AbortController();
      const query = 'Population=population2 AND number<=8';
      const pending = kernel.runTool(store, {
        tool: 'test.sleeper',
        inputs: [{ name: 'i', query }],
        outputDataset: 'slept',
        runner: 'slurm',
        jobs: 8,
        signal: controller.signal,
      });
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

    it('refuses a run before anything is written when the SLURM controller does not answer', async () => {
      const ws = await slurmWorkspace(context(), 'down-');
      const conf = path.join(ws.path, 'slurm-down.conf');
      // Port 1 on 127.0.0.1: nothing listens there, so the controller is unreachable.
      await writeFile(
        conf,
        ['ClusterName=down', 'SlurmctldHost=localhost(127.0.0.1)', 'SlurmctldPort=1', 'AuthType=auth/none', 'CredType=cred/none', ''].join('\n'),
      );
      const before = process.env['SLURM_CONF'];
      process.env['SLURM_CONF'] = conf;
      const down = await createKernel({ workspace: ws.path, env: { PATH: process.env['PATH'] ?? '' } }).finally(() => {
        process.env['SLURM_CONF'] = before;
      });
      try {
        const exp = await down.openExperiment(ws.exp);
        const error = await down
          .runTool(exp, { tool: 'biitcopy', inputs: [{ name: 'i', query: 'number<3' }], outputDataset: 'never', runner: 'slurm' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RunnerError);
        expect((error as RunnerError).message).toMatch(
          /cannot check that '.*' is visible to SLURM jobs: sbatch failed \(exit 1\): .*Unable to contact slurm controller/,
        );
        expect((await exp.info()).datasets.map((d) => d.name)).not.toContain('never');
      } finally {
        await down.dispose();
      }
    });
  });
}
