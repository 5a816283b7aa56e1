import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunnerJob } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlurmRunner } from '../src/slurm-runner.js';
import { parseSlurmSettings } from '../src/slurm-settings.js';
import { clusterUnavailableReason, freeClusterPorts, startTestCluster, type ClusterPorts, type TestCluster } from '../src/test-support/slurm-cluster.js';
import { TEST_SETTINGS } from './cluster-context.js';

/*
 * Test clusters on one machine at once: each picks free ports at start and keeps its munge
 * socket, state, node and cluster name to itself, so this file runs beside slurm-cluster.spec.ts
 * (and beside another checkout's test run) without either failing to bind.
 */
const skip = skipWithout('slurm', clusterUnavailableReason(), import.meta.url);
const run = promisify(execFile);

/** Holds a port on 127.0.0.1 the way another program would (hanging up on whoever connects). */
async function holdPort(): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

describe.skipIf(skip)('two one-node test clusters on this machine at the same time', () => {
  const clusters: TestCluster[] = [];

  beforeAll(async () => {
    const started = await Promise.allSettled([startTestCluster({ cpus: 2 }), startTestCluster({ cpus: 2 })]);
    for (const s of started) if (s.status === 'fulfilled') clusters.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  });

  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.stop()));
  });

  it('gives each cluster its own ports, folder (munge socket, state, logs), cluster name and node', async () => {
    const [a, b] = clusters as [TestCluster, TestCluster];
    expect(new Set([a.ports.slurmctld, a.ports.slurmd, b.ports.slurmctld, b.ports.slurmd]).size).toBe(4);
    expect(a.dir).not.toBe(b.dir);
    expect(a.name).not.toBe(b.name);
    expect(a.node).not.toBe(b.node);
    for (const cluster of [a, b]) {
      const conf = await readFile(cluster.env['SLURM_CONF'] as string, 'utf8');
      expect(conf).toContain(`SlurmctldPort=${cluster.ports.slurmctld}\n`);
      expect(conf).toContain(`AuthInfo=socket=${path.join(cluster.dir, 'munge.sock')}\n`);
      const nodes = await run('sinfo', ['-h', '-o', '%N %T'], { env: cluster.env });
      expect(nodes.stdout.trim()).toBe(`${cluster.node} idle`);
    }
  });

  it('runs a job on each at once, each on its own cluster (its node and job id in the output)', async () => {
    const rendezvous = path.join(clusters[0]!.dir, 'rendezvous');
    await mkdir(rendezvous);
    // Each job marks that it started, then waits (at most 60 s) for the other's mark: both print
    // 'met' only when the two clusters ran them at the same time.
    const script =
      'touch "$1"; i=0; while [ ! -e "$2" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done; [ -e "$2" ] && echo met; echo "$SLURMD_NODENAME $SLURM_JOB_ID"';
    const runs = clusters.map(async (cluster, i) => {
      const root = path.join(cluster.dir, 'workspace');
      const cwd = path.join(root, 'job');
      await mkdir(cwd, { recursive: true });
      const job: RunnerJob = {
        id: `cluster-${i}`,
        argv: ['sh', '-c', script, 'sh', path.join(rendezvous, String(i)), path.join(rendezvous, String(1 - i))],
        env: {},
        cwd,
        stdoutPath: path.join(root, 'out.log'),
        stderrPath: path.join(root, 'err.log'),
      };
      const runner = new SlurmRunner({ settings: parseSlurmSettings(TEST_SETTINGS, 'test'), workspace: root, commandEnv: cluster.env });
      const result = await runner.run(job, new AbortController().signal);
      return { result, output: await readFile(job.stdoutPath, 'utf8') };
    });
    const [a, b] = await Promise.all(runs);
    for (const [cluster, { result, output }] of [
      [clusters[0]!, a!],
      [clusters[1]!, b!],
    ] as const) {
      expect(result.exitCode).toBe(0);
      expect(result.environment['node']).toBe(cluster.node);
      expect(output).toBe(`met\n${cluster.node} ${String(result.environment['slurmJobId'])}\n`);
    }
  });

  it('starts again on new ports when a daemon finds its port taken between the pick and its bind', async () => {
    const held = await Promise.all([holdPort(), holdPort()]);
    try {
      const [busyCtld, busyD] = held.map((s) => (s.address() as AddressInfo).port) as [number, number];
      const picks: ClusterPorts[] = [];
      // 1st pick: slurmctld's port is taken; 2nd: slurmd's; 3rd: both free.
      const pickPorts = async (): Promise<ClusterPorts> => {
        const free = await freeClusterPorts();
        const pick = picks.length === 0 ? { ...free, slurmctld: busyCtld } : picks.length === 1 ? { ...free, slurmd: busyD } : free;
        picks.push(pick);
        return pick;
      };
      const cluster = await startTestCluster({ cpus: 1, pickPorts });
      clusters.push(cluster);
      expect(picks).toHaveLength(3);
      expect(cluster.ports).toEqual(picks[2]);
      const logs = await Promise.all([1, 2].map((n) => readFile(path.join(cluster.dir, `log-attempt-${n}`, n === 1 ? 'slurmctld.log' : 'slurmd.log'), 'utf8')));
      for (const log of logs) expect(log).toMatch(/address already in use/i);
      const submitted = await run(
        'sbatch',
        ['--parsable', '--wait', '-o', path.join(cluster.dir, 'hello.out'), '--wrap', 'echo "hello from $SLURMD_NODENAME"'],
        { env: cluster.env },
      );
      expect(submitted.stdout.trim()).toMatch(/^\d+$/);
      expect(await readFile(path.join(cluster.dir, 'hello.out'), 'utf8')).toBe(`hello from ${cluster.node}\n`);
    } finally {
      await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });
});
