/**
 * SLURM throughput benchmark: N trivial jobs (`true`) on a one-node test cluster started here,
 * four ways, in this order, on the same cluster:
 *   1. baseline: `sbatch --array=0-(N-1)` of a plain `true` script, squeue every 100 ms until done;
 *   2. baseline: N plain `sbatch` calls (4 at a time), same polling;
 *   3. SlurmRunner with array jobs (the N jobs of one run arrive together → one array job);
 *   4. SlurmRunner with one sbatch per job.
 * Prints jobs/s of each and the time ratio against baseline 1. Options: `--jobs N` (default 200),
 * `--slots S` (CPUs the node advertises; default this machine's core count), `--repeat R` (default 1).
 *
 *   npm run bench -w @bioimageit/slurm-runner -- --jobs 200
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { RunnerJob } from '@bioimageit/core';
import { slurmCommandEnvironment } from '../src/slurm-cli.js';
import { SlurmRunner } from '../src/slurm-runner.js';
import { parseSlurmSettings } from '../src/slurm-settings.js';
import { clusterUnavailableReason, startTestCluster, type TestCluster } from '../src/test-support/slurm-cluster.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { jobs: { type: 'string', default: '200' }, slots: { type: 'string' }, repeat: { type: 'string', default: '1' } } });
const jobs = Number(values.jobs);
const slots = values.slots === undefined ? os.cpus().length : Number(values.slots);
const repeat = Number(values.repeat);

/** Polls squeue every 100 ms until none of `ids` is pending, running or completing. */
async function drain(cluster: TestCluster, ids: readonly string[]): Promise<void> {
  for (;;) {
    const out = await run('squeue', ['--noheader', '--array', `--jobs=${ids.join(',')}`, '--format=%i'], { env: cluster.env }).then(
      (r) => r.stdout.trim(),
      () => '',
    );
    if (out === '') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SLURM alone: the same `true` jobs submitted with sbatch (one array, or one sbatch each, 4 at a time), polled every 100 ms. */
async function baseline(cluster: TestCluster, dir: string, array: boolean): Promise<number> {
  const script = path.join(dir, 'true.sh');
  await writeFile(script, '#!/bin/sh\ntrue\n', { mode: 0o755 });
  const sbatch = async (extra: string[]): Promise<string> =>
    (await run('sbatch', ['--parsable', '--output=/dev/null', `--chdir=${dir}`, ...extra, script], { env: minimalEnv(cluster) })).stdout.trim();
  const t0 = performance.now();
  const ids: string[] = [];
  if (array) ids.push(await sbatch([`--array=0-${jobs - 1}`]));
  else {
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < jobs) {
          next++;
          ids.push(await sbatch([]));
        }
      }),
    );
  }
  await drain(cluster, ids);
  return performance.now() - t0;
}

/** The environment the runner gives SLURM commands, for a fair baseline. */
function minimalEnv(cluster: TestCluster): NodeJS.ProcessEnv {
  return slurmCommandEnvironment(cluster.env);
}

async function throughRunner(cluster: TestCluster, dir: string, array: boolean): Promise<number> {
  const settings = parseSlurmSettings({ array, pollMinMs: 250, pollMaxMs: 2000, arrayMaxSize: Math.max(jobs, 1) }, 'bench');
  const runner = new SlurmRunner({ settings, workspace: dir, commandEnv: cluster.env });
  await runner.probe.ensureVisible(dir);
  const runId = `bench-${array ? 'array' : 'single'}`;
  const specs: RunnerJob[] = [];
  for (let i = 0; i < jobs; i++) {
    const cwd = path.join(dir, runId, `job-${i}`);
    await mkdir(cwd, { recursive: true });
    specs.push({
      id: `job-${i}`,
      argv: ['true'],
      env: {},
      cwd,
      stdoutPath: path.join(cwd, 'out.log'),
      stderrPath: path.join(cwd, 'err.log'),
      runId,
      tmpDir: cwd,
    });
  }
  const t0 = performance.now();
  const results = await Promise.all(specs.map((job) => runner.run(job, new AbortController().signal)));
  const ms = performance.now() - t0;
  const failed = results.filter((r) => r.exitCode !== 0).length;
  if (failed > 0) throw new Error(`${failed} of ${jobs} jobs failed`);
  if (array && new Set(results.map((r) => r.environment['arrayJobId'])).size > 1)
    console.log(`  (note: the runner made ${new Set(results.map((r) => r.environment['arrayJobId'])).size} array jobs)`);
  return ms;
}

const unavailable = clusterUnavailableReason();
if (unavailable !== undefined) {
  console.error(`cannot start a SLURM test cluster here: ${unavailable}`);
  process.exit(2);
}
const cluster = await startTestCluster({ cpus: slots });
try {
  const dir = await mkdtemp(path.join(cluster.dir, 'bench-'));
  console.log(
    `SLURM throughput: ${jobs} trivial jobs, one node advertising ${slots} CPU slot(s), ${os.cpus().length} cores, slurm ${(await run('sbatch', ['--version'], { env: cluster.env })).stdout.trim()}`,
  );
  const rows: [string, number[]][] = [
    ['sbatch --array + squeue (SLURM alone)', []],
    ['sbatch per job + squeue (SLURM alone)', []],
    ['SlurmRunner, array job per run', []],
    ['SlurmRunner, one sbatch per job', []],
  ];
  for (let r = 0; r < repeat; r++) {
    rows[0]?.[1].push(await baseline(cluster, dir, true));
    rows[1]?.[1].push(await baseline(cluster, dir, false));
    rows[2]?.[1].push(await throughRunner(cluster, dir, true));
    rows[3]?.[1].push(await throughRunner(cluster, dir, false));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const base = median(rows[0]?.[1] ?? []);
  for (const [label, times] of rows) {
    const ms = median(times);
    console.log(
      `${label.padEnd(40)} ${(ms / 1000).toFixed(1).padStart(6)} s  ${((jobs * 1000) / ms).toFixed(2).padStart(6)} jobs/s  ${(ms / base).toFixed(2)}x the time of SLURM alone (array)`,
    );
  }
  const [array, single] = [median(rows[2]?.[1] ?? []), median(rows[3]?.[1] ?? [])];
  console.log(`array vs one job per item: ${(single / array).toFixed(2)}x the throughput`);
  await rm(dir, { recursive: true, force: true });
} finally {
  await cluster.stop();
}
