import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { clusterUnavailableReason, startTestCluster, type TestCluster } from '../src/test-support/slurm-cluster.js';
import { describeCliRuns } from './cli-runs.js';
import type { ClusterContext } from './cluster-context.js';
import { describeContractSuites } from './contract-suites.js';
import { describeKernelRuns } from './kernel-runs.js';
import { describeRunnerBehaviour } from './runner-behaviour.js';

/*
 * Every suite that needs the SLURM daemons lives under this one file: they share one cluster on
 * the package's fixed ports (16817/16818), which two test files running at once could not.
 */
const unavailable = clusterUnavailableReason();
const skip = unavailable !== undefined && process.env['CI'] !== 'true';
if (skip) console.warn(`[slurm-runner] skipping the SLURM cluster suites: ${unavailable}`);

describe.skipIf(skip)('slurm runner on a one-node cluster (munged + slurmctld + slurmd on 127.0.0.1)', () => {
  let cluster: TestCluster | undefined;
  let root = '';

  beforeAll(async () => {
    // 8 slots on a 2-core machine: test jobs mostly sleep, and a run's slow tasks must not keep
    // its fast ones from starting (array task order follows the order jobs reached the runner).
    cluster = await startTestCluster({ cpus: 8, enforceMemory: true });
    root = path.join(cluster.dir, 'workspace');
    await mkdir(root);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const context = (): ClusterContext => {
    if (cluster === undefined) throw new Error('the test cluster did not start');
    return { cluster, root };
  };

  describeContractSuites(context);
  describeRunnerBehaviour(context);
  describeKernelRuns(context);
  describeCliRuns(context);
});
