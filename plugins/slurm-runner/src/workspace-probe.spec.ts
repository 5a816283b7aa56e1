import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { SlurmMonitor } from './slurm-monitor.js';
import { DEFAULT_SLURM_SETTINGS } from './slurm-settings.js';
import type { QueueEntry } from './slurm-state.js';
import { WorkspaceProbe } from './workspace-probe.js';

/*
 * The probe's failure paths, with the cluster replaced by doubles: a "compute node" that does not
 * see the folder (its job ends FAILED and writes nothing there). The passing path runs on a real
 * cluster in test/slurm-cluster.spec.ts.
 */
describe('WorkspaceProbe', () => {
  let root: string;
  let submitted: string[];
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'slurm-probe-'));
    submitted = [];
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const blindCluster = () => {
    const cli = { submit: async (script: string) => (submitted.push(script), '31') };
    const failed: QueueEntry = {
      key: '31',
      state: 'FAILED',
      rawStatus: 1 << 8,
      nodes: 'n1',
      partition: 'p',
      account: '',
      startTime: 'N/A',
      endTime: 'N/A',
      reason: 'NonZeroExitCode',
    };
    const monitor = new SlurmMonitor({ queue: async () => [failed] }, { pollMinMs: 10, pollMaxMs: 10 });
    return new WorkspaceProbe(cli, monitor, DEFAULT_SLURM_SETTINGS, root);
  };

  it('refuses a folder the job could not read back, naming it and the probe job, and cleans up', async () => {
    const probe = blindCluster();
    const inside = path.join(root, 'exp', '.bioimageit', 'staging');
    const error = await probe.ensureVisible(inside).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as RunnerError).code).toBe('UNAVAILABLE');
    expect((error as RunnerError).message).toContain(
      `the folder '${root}' is not visible to SLURM jobs: probe job 31 could not read back what this machine wrote there (it ended FAILED (NonZeroExitCode))`,
    );
    expect(probe.isVerified(inside)).toBe(false);
    expect(await readdir(root)).toEqual([]);
  });

  it('shares one probe between concurrent checks of the same folder', async () => {
    const probe = blindCluster();
    const results = await Promise.allSettled([probe.ensureVisible(root), probe.ensureVisible(path.join(root, 'a')), probe.ensureVisible(root)]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(submitted).toHaveLength(1);
  });

  it('says when the folder cannot even be written here', async () => {
    const probe = blindCluster();
    const outside = `${root}-missing`;
    const error = (await probe.ensureVisible(outside, []).catch((e: unknown) => e)) as RunnerError;
    expect(error.message).toContain(`cannot write into '${outside}' to check that SLURM jobs see it`);
    expect(submitted).toEqual([]);
  });
});
