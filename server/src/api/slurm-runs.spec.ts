import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { skipWithout } from '@bioimageit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The slurm plugin's test cluster (munged + slurmctld + slurmd in a temp folder); its package exports no test support.
import { clusterUnavailableReason, startTestCluster, type TestCluster } from '../../../plugins/slurm-runner/src/test-support/slurm-cluster.js';
import { ContractClient } from '../test-support/contract-client.js';
import { serveScratchWorkspace, type ScratchWorkspace } from '../test-support/scratch-workspace.js';

const skip = skipWithout('slurm', clusterUnavailableReason(), import.meta.url);

/** Variables pointing the slurm plugin at the test cluster, with fast polling (set while the suite runs). */
const settings = (cluster: TestCluster): Record<string, string> => ({
  SLURM_CONF: cluster.env['SLURM_CONF'] as string,
  PATH: cluster.env['PATH'] as string,
  BIOIMAGEIT_SLURM_POLL_MIN_MS: '100',
  BIOIMAGEIT_SLURM_POLL_MAX_MS: '1000',
  BIOIMAGEIT_SLURM_KILL_GRACE_MS: '2000',
  BIOIMAGEIT_SLURM_BATCH_IDLE_MS: '300',
});

/**
 * A run started over REST with `runner: "slurm"` on a one-node SLURM cluster: its jobs go to SLURM
 * as one array job and the run record names the runner and each job's SLURM id.
 */
describe.skipIf(skip)('REST API: a run on the slurm runner (one-node cluster on 127.0.0.1)', () => {
  let cluster: TestCluster | undefined;
  let ws: ScratchWorkspace;
  let api: ContractClient;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    cluster = await startTestCluster({ cpus: 4 });
    for (const [name, value] of Object.entries(settings(cluster))) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    ws = await serveScratchWorkspace('rest-slurm-', {
      parent: cluster.dir,
      kernelEnv: { PATH: cluster.env['PATH'] },
      plugins: ['@bioimageit/local-fs', '@bioimageit/slurm-runner'],
      tools: [
        {
          id: 'test.node-copy',
          inputs: [{ name: 'i', type: 'data' }],
          outputs: [{ name: 'o', format: 'tablecsv', extension: '.csv' }],
          command: { argv: ['sh', '-c', 'echo "node,$SLURMD_NODENAME" > "$2"; cat "$1" >> "$2"', 'sh', '{inputs.i}', '{outputs.o}'] },
        },
        {
          id: 'test.slurm-facts',
          inputs: [{ name: 'i', type: 'data' }],
          outputs: [{ name: 'o', format: 'tablecsv', extension: '.csv' }],
          command: { argv: ['sh', '-c', 'printf "partition,cpus\\n%s,%s\\n" "$SLURM_JOB_PARTITION" "$SLURM_CPUS_PER_TASK" > "$1"', 'sh', '{outputs.o}'] },
        },
      ],
      prepare: async ({ dir, kernel, store }) => {
        await mkdir(join(dir, 'incoming'));
        for (const n of [1, 2, 3]) await writeFile(join(dir, 'incoming', `table_${n}.csv`), `a,b\n${n},${n * 2}\n`);
        await kernel.importData(store, join(dir, 'incoming'));
      },
    });
    api = new ContractClient(ws.base, ws.server.document);
  }, 120_000);

  afterAll(async () => {
    await ws?.cleanup();
    await cluster?.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }, 60_000);

  it('submits the jobs of a run started with runner "slurm" to the cluster and records their SLURM ids', async () => {
    const exp = `/api/experiments/${ws.experimentId}`;
    const started = await api.call('POST', `${exp}/runs`, {
      tool: 'test.node-copy',
      inputs: [{ name: 'i' }],
      outputDataset: 'on-slurm',
      runner: 'slurm',
    });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const live = await ws.server.context.runs.settled(started.json.runId);
    expect(live?.status, live?.error).toBe('succeeded');
    const run = await api.call('GET', `${exp}/runs/${started.json.runId}`);
    expect(run.json.record.runner).toBe('slurm');
    const environments = run.json.record.jobs.map((j: { environment: Record<string, unknown> }) => j.environment);
    expect(environments).toHaveLength(3);
    for (const e of environments) {
      expect(e['runner']).toBe('slurm');
      expect(e['state']).toBe('COMPLETED');
      expect(String(e['slurmJobId'])).toMatch(/^\d+_\d+$/);
    }
    // the outputs were written on the cluster's own node, not by a local process
    const items = await ws.kernel.query(ws.store, '', 'on-slurm');
    expect(items).toHaveLength(3);
    const table = await api.call('GET', `${exp}/items/${items[0]?.id}/table`);
    expect(table.json.columns).toEqual(['node', (cluster as TestCluster).node]);
    expect(await (cluster as TestCluster).activeJobs()).toEqual([]);
  });

  it("submits a run's jobs with its runnerOptions: SLURM runs them in the partition, with the CPUs and time limit the run asked for", async () => {
    const exp = `/api/experiments/${ws.experimentId}`;
    const runners = await api.call('GET', '/api/runners');
    const slurm = runners.json.find((r: { id: string }) => r.id === 'slurm');
    expect(slurm.available).toBe(true);
    expect(Object.keys(slurm.options)).toEqual(expect.arrayContaining(['partition', 'time', 'mem', 'cpus-per-task', 'gres']));
    const refused = await api.call('POST', `${exp}/runs`, {
      tool: 'test.node-copy',
      inputs: [{ name: 'i' }],
      outputDataset: 'refused',
      runner: 'slurm',
      runnerOptions: { partition: 'short; touch /tmp/pwned' },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toContain("option 'partition' must match");
    const started = await api.call('POST', `${exp}/runs`, {
      tool: 'test.slurm-facts',
      inputs: [{ name: 'i' }],
      outputDataset: 'on-short',
      runner: 'slurm',
      runnerOptions: { partition: 'short', time: '00:10:00', 'cpus-per-task': 2 },
    });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const live = await ws.server.context.runs.settled(started.json.runId);
    expect(live?.status, live?.error).toBe('succeeded');
    const run = await api.call('GET', `${exp}/runs/${started.json.runId}`);
    expect(run.json.record.runnerOptions).toEqual({ partition: 'short', time: '00:10:00', 'cpus-per-task': 2 });
    for (const job of run.json.record.jobs as { environment: Record<string, unknown> }[]) {
      // partition: as squeue reported the running job, not as asked
      expect(job.environment['partition']).toBe('short');
      expect(job.environment['requested']).toMatchObject({ partition: 'short', time: '00:10:00', cpusPerTask: 2 });
    }
    // what the jobs saw of SLURM: the partition and the CPUs the run asked for
    const items = await ws.kernel.query(ws.store, '', 'on-short');
    expect(items).toHaveLength(3);
    const table = await api.call('GET', `${exp}/items/${items[0]?.id}/table`);
    expect(table.json.columns).toEqual(['partition', 'cpus']);
    expect(table.json.rows).toEqual([['short', '2']]);
  });
});
