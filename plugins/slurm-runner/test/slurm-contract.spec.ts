import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Runner } from '@bioimageit/core';
import { describeRunnerContract } from '@bioimageit/core/testing';
import { SlurmRunner } from '../src/slurm-runner.js';
import { parseSlurmSettings } from '../src/slurm-settings.js';
import { clusterUnavailableReason, startTestCluster, type TestCluster } from '../src/test-support/slurm-cluster.js';

const unavailable = clusterUnavailableReason();
const skip = unavailable !== undefined && process.env['CI'] !== 'true';
if (skip) console.warn(`[slurm-runner] skipping the SLURM contract suites: ${unavailable}`);

describe.skipIf(skip)('slurm runner on a one-node cluster', () => {
  let cluster: TestCluster;
  let root: string;
  let plain: SlurmRunner;
  let array: SlurmRunner;

  beforeAll(async () => {
    cluster = await startTestCluster();
    root = path.join(cluster.dir, 'workspace');
    await mkdir(root);
    const settings = parseSlurmSettings({ pollMinMs: 100, pollMaxMs: 1000, killGraceMs: 2000, batchIdleMs: 100 }, 'test');
    plain = new SlurmRunner({ settings: { ...settings, array: false }, workspace: root, commandEnv: cluster.env });
    array = new SlurmRunner({ settings, workspace: root, commandEnv: cluster.env });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const fixture = (runner: () => Runner) => async () => {
    const scratch = await mkdtemp(path.join(root, 'contract-'));
    return { runner: runner(), scratch, cleanup: () => rm(scratch, { recursive: true, force: true }) };
  };

  describeRunnerContract('slurm, one sbatch per job', fixture(() => plain));

  /** The same runner, with every job in one run: concurrent jobs become tasks of one array job. */
  describeRunnerContract(
    'slurm, array jobs',
    fixture(() => ({ id: array.id, run: (job, signal) => array.run({ ...job, runId: 'contract-run' }, signal) })),
  );
});
