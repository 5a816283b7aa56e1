import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Runner } from '@bioimageit/core';
import { describeRunnerContract } from '@bioimageit/core/testing';
import { beforeAll } from 'vitest';
import { SlurmRunner } from '../src/slurm-runner.js';
import { parseSlurmSettings } from '../src/slurm-settings.js';
import { TEST_SETTINGS, type ClusterContext } from './cluster-context.js';

/**
 * The core Runner contract, twice: one sbatch per job, and every job in one run so that jobs
 * arriving together become tasks of one array job.
 */
export function describeContractSuites(context: () => ClusterContext): void {
  let plain: SlurmRunner;
  let array: SlurmRunner;
  beforeAll(() => {
    const { cluster, root } = context();
    const settings = parseSlurmSettings(TEST_SETTINGS, 'test');
    plain = new SlurmRunner({ settings: { ...settings, array: false }, workspace: root, commandEnv: cluster.env });
    array = new SlurmRunner({ settings, workspace: root, commandEnv: cluster.env });
  });

  const fixture = (runner: () => Runner) => async () => {
    const scratch = await mkdtemp(path.join(context().root, 'contract-'));
    return { runner: runner(), scratch, cleanup: () => rm(scratch, { recursive: true, force: true }) };
  };

  describeRunnerContract(
    'slurm, one sbatch per job',
    fixture(() => plain),
  );
  describeRunnerContract(
    'slurm, array jobs',
    fixture(() => ({ id: array.id, run: (job, signal) => array.run({ ...job, runId: 'contract-run' }, signal) })),
  );
}
