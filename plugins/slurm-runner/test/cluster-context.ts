import type { TestCluster } from '../src/test-support/slurm-cluster.js';

/** What the cluster-backed suites share: the running cluster and a workspace folder inside it. */
export interface ClusterContext {
  readonly cluster: TestCluster;
  /** A folder for workspaces and scratch folders (probed once per runner). */
  readonly root: string;
}

/**
 * Debian's python3 as some cluster tests need it (the `python` system part), found when the spec
 * file is collected: a test whose interpreter is undefined is skipped (the file reports why).
 */
export interface ClusterPythons {
  /** python3, any modules: memory-limit tests allocate with it. */
  readonly python?: string;
  /** python3 when it imports numpy and tifffile: BioImageIT v1's biitthreshold wrapper runs with it. */
  readonly withTifffile?: string;
}

/** Fast polling for tests: jobs here end within a second or two. */
export const TEST_SETTINGS = { pollMinMs: 100, pollMaxMs: 1000, killGraceMs: 2000, batchIdleMs: 300 } as const;
