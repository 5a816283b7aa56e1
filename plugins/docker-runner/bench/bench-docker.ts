/**
 * Benchmark: per-job overhead of the docker runner against `docker run` of the same image, on a
 * private dockerd started by this script (root needed, as in the tests).
 *
 *   npm run bench -w @bioimageit/docker-runner            # or, from the repo root:
 *   node --conditions=source --import tsx plugins/docker-runner/bench/bench-docker.ts [jobs] [rounds]
 *
 * Every job runs `true` in the same busybox image with no network, at the same user, in its own
 * working folder bound at the same path. Measured, interleaved round by round so that background
 * load hits every variant alike (medians of the rounds are printed):
 *   - `docker run`: the docker CLI, `docker run --rm --network none -u UID:GID -v DIR:DIR -w DIR
 *     --log-driver none IMAGE true`, one after another (the baseline);
 *   - docker-runner: `DockerRunner.run` (image check, create, attach, wait, start, exit, remove,
 *     logs appended to files), one after another;
 *   - both again with 4 jobs at once (throughput);
 *   - the local runner (a plain process, no container), for scale.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { LocalRunner, type Runner, type RunnerJob } from '@bioimageit/core';
import { DockerRunner } from '../src/docker-runner.js';
import { invokingUser } from '../src/docker-runner-options.js';
import { startTestEngine } from '../src/test-support/test-engine.js';

const exec = promisify(execFile);
const JOBS = Number(process.argv[2] ?? 40);
const ROUNDS = Number(process.argv[3] ?? 3);
const IMAGE = 'bioimageit-bench/busybox:1';
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

async function main(): Promise<void> {
  const dockerd = await startTestEngine('docker');
  const scratch = await mkdtemp(path.join(tmpdir(), 'biit-docker-bench-'));
  try {
    await dockerd.importBusybox(IMAGE);
    const env = { ...process.env, DOCKER_HOST: dockerd.host };
    const user = invokingUser();
    const docker = new DockerRunner(dockerd.client, { pullPolicy: 'never', onPullProgress: null, defaultImage: IMAGE });
    const local = new LocalRunner();
    const signal = new AbortController().signal;
    let n = 0;
    const job = async (): Promise<RunnerJob> => {
      const id = `bench-${++n}`;
      const cwd = path.join(scratch, id);
      await mkdir(cwd);
      return { id, argv: ['true'], env: {}, cwd, stdoutPath: path.join(cwd, 'out.log'), stderrPath: path.join(cwd, 'err.log') };
    };
    const dockerRun = async (): Promise<void> => {
      const j = await job();
      await exec('docker', ['run', '--rm', '--network', 'none', '-u', user, '-v', `${j.cwd}:${j.cwd}`, '-w', j.cwd, '--log-driver', 'none', IMAGE, ...j.argv], {
        env,
      });
    };
    const viaRunner = (runner: Runner) => async (): Promise<void> => {
      const result = await runner.run(await job(), signal);
      if (result.exitCode !== 0) throw new Error(`${runner.id} job exited with ${result.exitCode}`);
    };
    /** Seconds per job for `count` jobs, `parallel` at a time. */
    const measure = async (one: () => Promise<void>, count: number, parallel: number): Promise<number> => {
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          while (next < count) {
            next += 1;
            await one();
          }
        }),
      );
      return (performance.now() - t0) / 1000 / count;
    };
    // Warm-up: first container start, file caches, JIT.
    await measure(dockerRun, 3, 1);
    await measure(viaRunner(docker), 3, 1);
    const variants: [string, () => Promise<void>, number][] = [
      ['docker run (CLI), sequential', dockerRun, 1],
      ['docker-runner, sequential', viaRunner(docker), 1],
      ['docker run (CLI), 4 at once', dockerRun, 4],
      ['docker-runner, 4 at once', viaRunner(docker), 4],
      ['local runner (no container), sequential', viaRunner(local), 1],
    ];
    const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, one, parallel] of variants) samples.get(name)?.push(await measure(one, JOBS, parallel));
    }
    const result = new Map([...samples].map(([name, xs]) => [name, median(xs)]));
    const ms = (name: string): number => (result.get(name) ?? NaN) * 1000;
    console.log(
      `docker-runner benchmark: ${JOBS} jobs of 'true' per variant, ${ROUNDS} interleaved rounds, medians; dockerd ${dockerd.client.daemon.version} (API ${dockerd.client.daemon.apiVersion})`,
    );
    for (const [name] of variants)
      console.log(`  ${name.padEnd(42)} ${ms(name).toFixed(1).padStart(7)} ms/job  ${(1000 / ms(name)).toFixed(1).padStart(6)} jobs/s`);
    const seq = ms('docker-runner, sequential') / ms('docker run (CLI), sequential');
    const par = ms('docker-runner, 4 at once') / ms('docker run (CLI), 4 at once');
    console.log(`  ratio docker-runner / docker run: sequential ${seq.toFixed(2)}x, 4 at once ${par.toFixed(2)}x (below 1: the runner is faster)`);
    console.log(
      `  container cost over a plain process: ${(ms('docker-runner, sequential') - ms('local runner (no container), sequential')).toFixed(1)} ms/job`,
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await dockerd.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
