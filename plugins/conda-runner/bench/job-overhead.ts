/**
 * Per-job cost of the conda runner once its environment exists, against core's local runner in
 * the same script: N trivial jobs (`true`) through each, sequentially, median of R repeats
 * (alternating which runner goes first).
 * Also times the first creation of the environment (solve, download, extract, link) from a
 * channel of real packages built with `cph` and served on 127.0.0.1.
 *
 *   node --conditions=source --import tsx plugins/conda-runner/bench/job-overhead.ts [N] [R]
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalRunner, type Runner, type RunnerJob } from '@bioimageit/core';
import { CondaRunner } from '../src/conda-runner.js';
import { DEFAULT_CHANNEL_ALIAS } from '../src/conda-settings.js';
import { stampTool, testChannel } from '../src/test-support/test-packages.js';

const jobs = Number(process.argv[2] ?? 200);
const repeats = Number(process.argv[3] ?? 3);
const never = new AbortController().signal;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const fixture = await testChannel();
const root = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-bench-'));
try {
  const tool = stampTool(root, fixture.channel.url);
  const conda = new CondaRunner({
    settings: { command: 'embedded', envsDir: path.join(root, 'envs'), defaultChannels: [], channelAlias: DEFAULT_CHANNEL_ALIAS, namedEnvDirs: [] },
    progress: () => undefined,
  });
  const local = new LocalRunner();
  let counter = 0;
  const job = async (): Promise<RunnerJob> => {
    const id = `b-${++counter}`;
    const cwd = path.join(root, 'jobs', id);
    await mkdir(cwd, { recursive: true });
    return { id, argv: ['true'], env: {}, cwd, stdoutPath: path.join(cwd, 'out'), stderrPath: path.join(cwd, 'err'), tool };
  };
  const t0 = performance.now();
  await conda.run(await job(), never);
  const creation = performance.now() - t0;
  const time = async (runner: Runner): Promise<number> => {
    const prepared = await Promise.all(Array.from({ length: jobs }, job));
    const start = performance.now();
    for (const j of prepared) await runner.run(j, never);
    return (performance.now() - start) / jobs;
  };
  const localMs: number[] = [];
  const condaMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    // alternate which goes first, so that warm-up and other load on the machine fall on both
    if (r % 2 === 0) {
      localMs.push(await time(local));
      condaMs.push(await time(conda));
    } else {
      condaMs.push(await time(conda));
      localMs.push(await time(local));
    }
  }
  const l = median(localMs);
  const c = median(condaMs);
  console.log(`environment creation (2 packages, solve + download + extract + link): ${creation.toFixed(0)} ms`);
  console.log(`per job, median of ${repeats} x ${jobs} sequential jobs: local ${l.toFixed(2)} ms, conda (embedded, ready) ${c.toFixed(2)} ms`);
  console.log(`ratio conda/local: ${(c / l).toFixed(2)}x (overhead ${(c - l).toFixed(2)} ms per job)`);
} finally {
  await fixture.cleanup();
  await rm(root, { recursive: true, force: true });
}
