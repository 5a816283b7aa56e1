import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { RunnerError, type RunnerJob, type ToolManifest } from '@bioimageit/core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SlurmRunner } from '../src/slurm-runner.js';
import { parseSlurmSettings } from '../src/slurm-settings.js';
import { TEST_SETTINGS, type ClusterContext, type ClusterPythons } from './cluster-context.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A minimal manifest carrying what the runner reads: id and resources. */
const toolWith = (resources: ToolManifest['resources']): ToolManifest => ({ id: 'test.resources', resources }) as unknown as ToolManifest;

/** What is specific to SLURM: arrays, resources, SLURM's own errors, the workspace probe, polling, live output. */
export function describeRunnerBehaviour(context: () => ClusterContext, pythons: ClusterPythons): void {
  describe('slurm runner behaviour', () => {
    let folder: string;
    let counter = 0;
    const runner = (extra: Record<string, unknown> = {}): SlurmRunner =>
      new SlurmRunner({ settings: parseSlurmSettings({ ...TEST_SETTINGS, ...extra }, 'test'), workspace: context().root, commandEnv: context().cluster.env });

    beforeAll(async () => {
      folder = await mkdtemp(path.join(context().root, 'behaviour-'));
    });

    async function job(argv: string[], extra: Partial<RunnerJob> = {}): Promise<RunnerJob> {
      const id = `job-${++counter}`;
      const cwd = path.join(folder, id);
      await mkdir(cwd);
      return { id, argv, env: {}, cwd, stdoutPath: path.join(folder, `${id}.out`), stderrPath: path.join(folder, `${id}.err`), ...extra };
    }

    it("submits a run's concurrent jobs as one array job with a readable job script, removed afterwards", async () => {
      const kept = runner({ keepScripts: true });
      const jobs = await Promise.all([0, 1, 2, 3].map((i) => job(['sh', '-c', `echo task-${i}`], { runId: 'array-run' })));
      const results = await Promise.all(jobs.map((j) => kept.run(j, new AbortController().signal)));
      const ids = new Set(results.map((r) => r.environment['arrayJobId']));
      expect(ids.size).toBe(1);
      expect(results.map((r) => r.environment['arraySize'])).toEqual([4, 4, 4, 4]);
      const script = String(results[0]?.environment['script']);
      const text = await readFile(script, 'utf8');
      expect(text).toContain("'--array=0-3'");
      expect(text).toContain('setsid -w env -i --');
      for (const [i, j] of jobs.entries()) expect(await readFile(j.stdoutPath, 'utf8')).toBe(`task-${i}\n`);

      const cleaned = runner();
      const more = await Promise.all([0, 1].map(() => job(['true'], { runId: 'array-run-2' })));
      await Promise.all(more.map((j) => cleaned.run(j, new AbortController().signal)));
      expect((await readdir(folder)).filter((f) => f.startsWith('.bioimageit-slurm-')).length).toBe(1);
    });

    it('runs at most arrayParallel tasks of an array at once', async () => {
      const log = path.join(folder, 'parallel.log');
      const script = `echo "start $(date +%s%N)" >> '${log}'; sleep 0.5; echo "end $(date +%s%N)" >> '${log}'`;
      const jobs = await Promise.all([0, 1, 2].map(() => job(['sh', '-c', script], { runId: 'throttled-run' })));
      const throttled = runner({ arrayParallel: 1 });
      const results = await Promise.all(jobs.map((j) => throttled.run(j, new AbortController().signal)));
      expect(results.map((r) => r.environment['arraySize'])).toEqual([3, 3, 3]);
      const events = (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string]);
      events.sort((a, b) => (BigInt(a[1]) < BigInt(b[1]) ? -1 : 1));
      let running = 0;
      let most = 0;
      for (const [kind] of events) {
        running += kind === 'start' ? 1 : -1;
        most = Math.max(most, running);
      }
      expect(events).toHaveLength(6);
      expect(most).toBe(1);
    });

    it("keeps spaces and '%' in folder names out of SLURM's file-name patterns", async () => {
      const odd = await mkdtemp(path.join(context().root, 'odd name %j %a '));
      const cwd = path.join(odd, 'job %x');
      await mkdir(cwd);
      const jobs = [0, 1].map((i): RunnerJob => ({
        id: `odd-${i}`,
        argv: ['sh', '-c', `pwd; echo task-${i} >&2`],
        env: {},
        cwd,
        stdoutPath: path.join(odd, `o${i}.log`),
        stderrPath: path.join(odd, `e${i}.log`),
        runId: 'odd-run',
      }));
      const r = runner();
      const results = await Promise.all(jobs.map((j) => r.run(j, new AbortController().signal)));
      expect(results.map((x) => x.exitCode)).toEqual([0, 0]);
      expect(results[0]?.environment['arraySize']).toBe(2);
      for (const [i, j] of jobs.entries()) {
        expect(await readFile(j.stdoutPath, 'utf8')).toBe(`${cwd}\n`);
        expect(await readFile(j.stderrPath, 'utf8')).toBe(`task-${i}\n`);
      }
    });

    it("asks SLURM for the tool's resources and gives the tool SLURM's facts", async () => {
      const j = await job(['sh', '-c', 'echo "$SLURM_CPUS_PER_TASK|$SLURM_JOB_ID"'], { tool: toolWith({ cpus: 2, memoryMb: 64 }) });
      const result = await runner().run(j, new AbortController().signal);
      expect(result.exitCode).toBe(0);
      const [cpus, jobId] = (await readFile(j.stdoutPath, 'utf8')).trim().split('|');
      expect(cpus).toBe('2');
      expect(result.environment['slurmJobId']).toBe(jobId);
      expect(result.environment['requested']).toEqual({ cpus: 2, memoryMb: 64 });
      expect(result.environment['partition']).toBe('debug');
      expect(typeof result.environment['node']).toBe('string');
    });

    it.skipIf(pythons.python === undefined)('reports a tool killed for using more memory than the tool asked for as failed, with the reason', async () => {
      const greedy = await job([pythons.python as string, '-c', 'import time; b = b"x" * (400 * 1024 * 1024); time.sleep(20)'], {
        tool: toolWith({ memoryMb: 64 }),
      });
      const t0 = Date.now();
      const error = (await runner()
        .run(greedy, new AbortController().signal)
        .catch((e: unknown) => e)) as RunnerError;
      expect(error).toBeInstanceOf(RunnerError);
      expect(error.code).toBe('NON_ZERO_EXIT');
      expect(error.message).toMatch(
        /^job 'job-\d+' \(SLURM job \d+\) ran out of memory \(it used more than the --mem SLURM granted\) and was killed: .*exceeded memory limit \(\d+ > 67108864\)/,
      );
      expect(error.details['memoryExceeded']).toBe(true);
      expect((error.details['environment'] as Record<string, unknown>)['requested']).toEqual({ memoryMb: 64 });
      expect(Date.now() - t0).toBeLessThan(15_000);
    });

    it('resolves a job killed by a signal with that signal', async () => {
      const result = await runner().run(await job(['sh', '-c', 'kill -9 $$']), new AbortController().signal);
      expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    });

    it("rejects with sbatch's own message when SLURM refuses the job", async () => {
      const error = await runner({ partition: 'nosuchpartition' })
        .run(await job(['true']), new AbortController().signal)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunnerError);
      expect((error as RunnerError).code).toBe('UNAVAILABLE');
      expect((error as RunnerError).message).toMatch(/^job 'job-\d+': .*sbatch failed \(exit 1\): .*invalid partition/i);
      const unchecked = runner({ partition: 'nosuchpartition', checkWorkspace: false });
      const refused = await unchecked.run(await job(['true']), new AbortController().signal).catch((e: unknown) => e);
      expect((refused as RunnerError).message).toMatch(/^job 'job-\d+' could not be submitted to SLURM: sbatch failed \(exit 1\): .*invalid partition/i);
    });

    it('says so when someone else cancels the job with scancel', async () => {
      const { cluster } = context();
      const r = runner();
      const j = await job(['sleep', '30'], { tool: { ...toolWith({}), id: 'test.external-cancel' } });
      const pending = r.run(j, new AbortController().signal).catch((e: unknown) => e);
      let key: string | undefined;
      for (let i = 0; i < 200 && key === undefined; i++) {
        key = (await cluster.activeJobs('biit-test.external-cancel')).find((l) => l.endsWith('RUNNING'))?.split(' ')[0];
        await sleep(100);
      }
      expect(key).toBeDefined();
      await r.cli.cancel([key as string]);
      const error = (await pending) as RunnerError;
      expect(error).toBeInstanceOf(RunnerError);
      expect(error.code).toBe('CANCELLED');
      expect(error.message).toContain('cancelled outside BioImageIT');
      expect(error.message).toContain(key);
    });

    it('cancels a job still waiting in the queue', async () => {
      const { cluster } = context();
      const r = runner({ extraArgs: ['--begin=now+3600'], checkWorkspace: false });
      const j = await job(['echo', 'never'], { tool: { ...toolWith({}), id: 'test.queued-cancel' } });
      const controller = new AbortController();
      const pending = r.run(j, controller.signal).catch((e: unknown) => e);
      try {
        let queued = false;
        for (let i = 0; i < 200 && !queued; i++) {
          queued = (await cluster.activeJobs('biit-test.queued-cancel')).some((l) => l.endsWith('PENDING'));
          if (!queued) await sleep(100);
        }
        expect(queued).toBe(true);
        const t0 = Date.now();
        controller.abort();
        const error = (await pending) as RunnerError;
        expect([error.code, error.details['state']]).toEqual(['CANCELLED', 'CANCELLED']);
        expect(Date.now() - t0).toBeLessThan(5000);
        expect(await cluster.activeJobs('biit-test.queued-cancel')).toEqual([]);
        expect(await readFile(j.stdoutPath, 'utf8')).toBe('');
      } finally {
        await promisify(execFile)('scancel', ['--name=biit-test.queued-cancel'], { env: cluster.env });
      }
    });

    it('checks once that the workspace is visible to jobs, and names input files jobs cannot read', async () => {
      const r = runner();
      expect(r.probe.isVerified(folder)).toBe(false);
      await r.run(await job(['true']), new AbortController().signal);
      expect(r.probe.isVerified(context().root)).toBe(true);
      const missing = path.join(path.dirname(context().root), 'elsewhere', 'missing.tif');
      const error = await r.run(await job(['true'], { inputPaths: [missing] }), new AbortController().signal).catch((e: unknown) => e);
      expect((error as RunnerError).code).toBe('UNAVAILABLE');
      expect((error as RunnerError).message).toContain(missing);
      expect((await readdir(context().root)).some((f) => f.startsWith('.bioimageit-slurm-probe-'))).toBe(false);
    });

    it('watches every job with one squeue call per poll, never two at once', async () => {
      const r = runner({ array: false });
      const real = r.cli.queue.bind(r.cli);
      let inFlight = 0;
      let most = 0;
      const queue = vi.spyOn(r.cli, 'queue').mockImplementation(async (ids) => {
        inFlight++;
        most = Math.max(most, inFlight);
        try {
          return await real(ids);
        } finally {
          inFlight--;
        }
      });
      const jobs = await Promise.all([0, 1, 2, 3, 4, 5].map(() => job(['sleep', '1'])));
      await Promise.all(jobs.map((j) => r.run(j, new AbortController().signal)));
      expect(most).toBe(1);
      expect(Math.max(...queue.mock.calls.map(([ids]) => ids.length))).toBeGreaterThanOrEqual(4);
    });

    it('hands output to onOutput while the job still runs', async () => {
      const seen: { text: string; at: number }[] = [];
      const j = await job(['sh', '-c', 'echo 10%; sleep 3; echo 100%'], {
        onOutput: (_stream, chunk) => seen.push({ text: Buffer.from(chunk).toString(), at: Date.now() }),
      });
      await runner().run(j, new AbortController().signal);
      const ended = Date.now();
      expect(seen.map((s) => s.text).join('')).toBe('10%\n100%\n');
      expect(ended - (seen[0]?.at ?? ended)).toBeGreaterThan(1500);
    });
  });
}
