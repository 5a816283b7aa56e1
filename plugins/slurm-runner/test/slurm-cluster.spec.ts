import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { debianPython, skipWithout } from '@bioimageit/core/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { clusterUnavailableReason, startTestCluster, type TestCluster } from '../src/test-support/slurm-cluster.js';
import { describeCliRuns } from './cli-runs.js';
import type { ClusterContext, ClusterPythons } from './cluster-context.js';
import { describeContractSuites } from './contract-suites.js';
import { describeKernelRuns } from './kernel-runs.js';
import { describeRunnerBehaviour } from './runner-behaviour.js';

/*
 * The suites that need the SLURM daemons share one cluster, started once for this file on free
 * 127.0.0.1 ports it picks at start (so other test files and other checkouts' test runs may start
 * clusters of their own at the same time: see two-clusters.spec.ts).
 */
const skip = skipWithout('slurm', clusterUnavailableReason(), import.meta.url);
// BioImageIT v1's biitthreshold needs numpy and tifffile, the memory-limit tests only python3.
const v1Python = debianPython(['numpy', 'tifffile']);
const pythons: ClusterPythons = {
  python: debianPython([]).python,
  withTifffile: skipWithout('python', v1Python.why, import.meta.url) ? undefined : v1Python.python,
};

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
  describeRunnerBehaviour(context, pythons);
  describeKernelRuns(context, pythons);
  describeCliRuns(context, pythons);
});
