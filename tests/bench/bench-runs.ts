/**
 * Job-engine benchmark (`npm run bench:runs`): 1,000 trivial jobs over 1,000 tiny items through the
 * engine (local-fs storage, local runner), against spawning the same commands directly with
 * child_process.spawn at the same concurrency, in the same script on this machine. Prints the
 * per-job overhead in ms and the engine/direct ratio. Target (issue 3): <= 1 ms per job; v1
 * measured 1.8 ms at 100 jobs, growing to 5.5 ms at 1,000 (it rewrote its metadata after each item).
 *
 * Two tools: `true {input}` (nothing to commit: staging, argv, runner, logs, records) and
 * `cp {input} {output}` (each job's output hashed, format-read and committed as a processed item).
 *
 * A third figure runs the same jobs through the engine with an in-process runner that starts no
 * process (`true` does nothing, `cp` copies in-process): the engine's own cost per job (selection,
 * cache keys, staging, logs, commits, records), free of the fork that dominates both columns.
 *
 * The local runner starts tools from a small spawn helper process (a fork costs in proportion to
 * the forking process's memory), so a fourth figure spawns the same commands directly through that
 * helper: `overhead vs lean` is the engine's cost over the cheapest way to start the processes,
 * `overhead/job` the cost over plain child_process.spawn from this script (the baseline).
 *
 * Each measurement is repeated (`--repeat`, default 3; direct and engine alternate) and the median
 * is reported, so a busy machine skews both sides alike. CPU time of this process per job
 * (user + system, which includes the fork of each child) is printed beside the wall time.
 *
 * Usage: npm run bench:runs [-- --jobs 4] [-- --count 1000] [-- --repeat 3] [-- --keep]
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createKernel, defaultConfig, SpawnHelper, type ExperimentStore, type Kernel, type Runner } from '@bioimageit/core';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const count = Number(flag('--count') ?? 1000);
const jobs = Number(flag('--jobs') ?? Math.min(4, availableParallelism()));
const repeat = Number(flag('--repeat') ?? 3);
const root = join(tmpdir(), `biit-bench-runs-${process.pid}`);

/** Wall and CPU milliseconds of `work`. */
async function measure(work: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const TOOLS = {
  true: { argv: ['true', '{inputs.i}'], outputs: [] },
  cp: { argv: ['cp', '{inputs.i}', '{outputs.o}'], outputs: [{ name: 'o', format: 'tablecsv' }] },
} as const;
type ToolName = keyof typeof TOOLS;

async function writeToolFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, tool] of Object.entries(TOOLS)) {
    const manifest = {
      id: `bench.${name}`,
      name,
      version: '1.0.0',
      inputs: [{ name: 'i', type: 'data' }],
      outputs: tool.outputs,
      command: { argv: tool.argv },
    };
    await writeFile(join(dir, `${name}.tool.json`), JSON.stringify(manifest));
  }
}

async function prepare(kernel: Kernel, sources: string): Promise<ExperimentStore> {
  await mkdir(sources, { recursive: true });
  for (let i = 0; i < count; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, (_, k) => writeFile(join(sources, `item_${String(i + k).padStart(5, '0')}.csv`), `a,b\n${i + k},1\n`)),
    );
  }
  const store = await kernel.createExperiment({ name: 'benchruns', author: 'bench', keys: [] });
  const report = await kernel.importData(store, sources);
  if (report.imported.length !== count) throw new Error(`imported ${report.imported.length} of ${count}`);
  return store;
}

/** Spawns the tool's command for each input, `jobs` at once, no shell, output ignored. */
async function direct(tool: ToolName, inputs: readonly string[], outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      const input = inputs[i] as string;
      const argv = tool === 'true' ? ['true', input] : ['cp', input, join(outDir, `o_${i}.csv`)];
      await new Promise<void>((resolve, reject) => {
        const child = spawn(argv[0] as string, argv.slice(1), { stdio: 'ignore' });
        child.once('error', reject);
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} exited ${code}`))));
      });
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

/** The same commands started through a SpawnHelper (what the local runner uses), `jobs` at once. */
async function directLean(helper: SpawnHelper, tool: ToolName, inputs: readonly string[], outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      const input = inputs[i] as string;
      const [file, ...args] = tool === 'true' ? ['/bin/true', input] : ['/bin/cp', input, join(outDir, `o_${i}.csv`)];
      const { exitCode } = await helper.launch({
        file: file as string,
        args,
        argv0: tool,
        cwd: outDir,
        env,
        stdout: '/dev/null',
        stderr: '/dev/null',
        detached: true,
      }).exited;
      if (exitCode !== 0) throw new Error(`${tool} exited ${exitCode}`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

/** Runs `true` and `cp` argv in this process: the engine's cost without any child process. */
const inProcess: Runner = {
  id: 'bench-in-process',
  async run(job) {
    if (job.argv[0] === 'cp') await copyFile(job.argv[1] as string, job.argv[2] as string);
    return { exitCode: 0, environment: { runner: 'bench-in-process' } };
  },
};

/** The same jobs through the engine: select, plan, cache keys, staging, runner, logs, commits, run records. */
async function engine(kernel: Kernel, store: ExperimentStore, tool: ToolName, dataset: string, runner?: string): Promise<void> {
  const { record } = await kernel.runTool(store, {
    tool: `bench.${tool}`,
    inputs: [{ name: 'i' }],
    outputDataset: dataset,
    jobs,
    cache: false,
    ...(runner && { runner }),
  });
  if (record.status !== 'succeeded' || record.jobs.length !== count) throw new Error(`engine run ${record.status} with ${record.jobs.length} jobs`);
}

async function main(): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await writeToolFolder(join(root, 'tools'));
  const kernel = await createKernel({ config: { ...defaultConfig(root, 'bench', ['@bioimageit/local-fs']), tools: { dirs: ['tools'] } } });
  kernel.runners.register(inProcess, 'bench');
  const helper = new SpawnHelper();
  try {
    const store = await prepare(kernel, join(root, 'sources'));
    const inputs = await Promise.all((await store.items('data')).map((item) => fileURLToPath(item.dataUri)));
    // Warm-up: spawn path, executable lookup, JIT, and the store's index.
    await direct('true', inputs.slice(0, 50), join(root, 'warm'));
    console.log(`${count} jobs, ${jobs} at once, median of ${repeat}, node ${process.version}, ${availableParallelism()} CPUs`);
    const header = [
      'tool',
      'direct ms',
      'lean ms',
      'engine ms',
      'overhead/job ms',
      'ratio',
      'overhead vs lean',
      'cpu/job direct',
      'cpu/job engine',
      'no-process engine/job',
    ];
    console.log(header.map((h, i) => (i === 0 ? h.padEnd(6) : h.padStart(h.length < 10 ? 10 : h.length))).join('  '));
    for (const tool of Object.keys(TOOLS) as ToolName[]) {
      const d: { wall: number; cpu: number }[] = [];
      const l: { wall: number; cpu: number }[] = [];
      const e: { wall: number; cpu: number }[] = [];
      const n: { wall: number; cpu: number }[] = [];
      for (let r = 0; r < repeat; r++) {
        d.push(await measure(() => direct(tool, inputs, join(root, `direct-${tool}-${r}`))));
        l.push(await measure(() => directLean(helper, tool, inputs, join(root, `lean-${tool}-${r}`))));
        e.push(await measure(() => engine(kernel, store, tool, `bench_${tool}_${r}`)));
        n.push(await measure(() => engine(kernel, store, tool, `bench_${tool}_inproc_${r}`, inProcess.id)));
      }
      const [dw, ew, dc, ec] = [median(d.map((x) => x.wall)), median(e.map((x) => x.wall)), median(d.map((x) => x.cpu)), median(e.map((x) => x.cpu))];
      const lw = median(l.map((x) => x.wall));
      const overhead = (ew - dw) / count;
      const row = [
        tool.padEnd(6),
        dw.toFixed(0).padStart(10),
        lw.toFixed(0).padStart(10),
        ew.toFixed(0).padStart(10),
        overhead.toFixed(3).padStart(15),
        (ew / dw).toFixed(2).padStart(10),
        ((ew - lw) / count).toFixed(3).padStart(16),
        (dc / count).toFixed(3).padStart(14),
        (ec / count).toFixed(3).padStart(14),
        (median(n.map((x) => x.wall)) / count).toFixed(3).padStart(21),
      ];
      console.log(`${row.join('  ')}${overhead <= 1 ? '' : '  (above the 1 ms target)'}`);
    }
  } finally {
    helper.close();
    await kernel.dispose();
    if (!args.includes('--keep')) await rm(root, { recursive: true, force: true });
  }
}

await main();
