import type { TestCluster } from '../src/test-support/slurm-cluster.js';

/** What the cluster-backed suites share: the running cluster and a workspace folder inside it. */
export interface ClusterContext {
  readonly cluster: TestCluster;
  /** A folder for workspaces and scratch folders (probed once per runner). */
  readonly root: string;
}

/** Fast polling for tests: jobs here end within a second or two. */
export const TEST_SETTINGS = { pollMinMs: 100, pollMaxMs: 1000, killGraceMs: 2000, batchIdleMs: 300 } as const;
