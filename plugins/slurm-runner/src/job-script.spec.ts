import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobName, jobScript, sbatchOptions, SCRIPT_SETUP_FAILURE, type BatchSpec } from './job-script.js';
import { DEFAULT_SLURM_SETTINGS } from './slurm-settings.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'slurm job script %x '));
  for (const t of ['a', "b'quoted"]) await mkdir(path.join(dir, t));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const spec = (extra: Partial<BatchSpec> = {}): BatchSpec => ({
  name: 'tool.id',
  dir,
  tasks: [
    {
      cwd: path.join(dir, 'a'),
      argv: ['sh', '-c', 'pwd; printf "<%s>" "$@"; echo; env | sort', 'sh', 'x y', '$(id)'],
      env: { PATH: '/usr/bin:/bin', DECLARED: "it's" },
    },
    { cwd: path.join(dir, "b'quoted"), argv: ['sh', '-c', 'pwd; exit 4'], env: { PATH: '/usr/bin:/bin' } },
  ],
  array: true,
  resources: {},
  settings: DEFAULT_SLURM_SETTINGS,
  ...extra,
});

/** Runs a script the way slurmd would: sh, with SLURM's variables and one the caller must not leak. */
async function runScript(text: string, slurm: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const file = path.join(dir, 'job.sh');
  await writeFile(file, text);
  const out = spawnSync('/bin/sh', [file], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', LEAKED_SECRET: 'x', ...slurm } });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('job scripts', () => {
  it('runs the task SLURM picked, in its folder, with its argv literal and only its variables plus SLURM facts', async () => {
    const out = await runScript(jobScript(spec()), { SLURM_ARRAY_TASK_ID: '0', SLURM_JOB_ID: '77', SLURM_CPUS_PER_TASK: '2' });
    expect(out.status).toBe(0);
    const [cwd, args, ...env] = out.stdout.trim().split('\n');
    expect(cwd).toBe(path.join(dir, 'a'));
    expect(args).toBe('<x y><$(id)>');
    expect(env.filter((l) => !l.startsWith('PWD=') && !l.startsWith('SHLVL=') && !l.startsWith('_='))).toEqual([
      "DECLARED=it's",
      'PATH=/usr/bin:/bin',
      'SLURM_ARRAY_TASK_ID=0',
      'SLURM_CPUS_PER_TASK=2',
      'SLURM_JOB_ID=77',
    ]);
  });

  it("exits with the tool's status, and 125 for a task it does not have", async () => {
    const second = await runScript(jobScript(spec()), { SLURM_ARRAY_TASK_ID: '1' });
    expect(second.status).toBe(4);
    expect(second.stdout.trim()).toBe(path.join(dir, "b'quoted"));
    const none = await runScript(jobScript(spec()), { SLURM_ARRAY_TASK_ID: '9' });
    expect(none.status).toBe(SCRIPT_SETUP_FAILURE);
    expect(none.stderr).toContain("no task '9'");
  });

  it('kills what the tool left running in its process group once it exits', async () => {
    const cwd = path.join(dir, 'a');
    const leak = path.join(cwd, 'leaked.txt');
    const task = { cwd, argv: ['sh', '-c', '(sleep 1; echo leaked > leaked.txt) & echo started'], env: { PATH: '/usr/bin:/bin' } };
    const out = await runScript(jobScript(spec({ array: false, tasks: [task] })), {});
    expect([out.status, out.stdout]).toEqual([0, 'started\n']);
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(leak)).toBe(false);
  });

  it("dies of the tool's death signal, so SLURM records the signal", async () => {
    const task = { cwd: path.join(dir, 'a'), argv: ['sh', '-c', 'kill -9 $$'], env: { PATH: '/usr/bin:/bin' } };
    await writeFile(path.join(dir, 'job.sh'), jobScript(spec({ array: false, tasks: [task] })));
    const out = spawnSync('/bin/sh', [path.join(dir, 'job.sh')], { encoding: 'utf8' });
    expect([out.status, out.signal]).toEqual([null, 'SIGKILL']);
  });

  it('forwards SIGTERM (scancel) to every process of the tool and ends only when they are gone', async () => {
    const cwd = path.join(dir, 'a');
    const task = {
      cwd,
      argv: ['sh', '-c', '(sleep 2; echo leaked > term-leaked.txt) & echo started > term-started.txt; sleep 30'],
      env: { PATH: '/usr/bin:/bin' },
    };
    const file = path.join(dir, 'job.sh');
    await writeFile(file, jobScript(spec({ array: false, tasks: [task] })));
    const child = spawn('/bin/sh', [file], { stdio: 'ignore' });
    const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // The tool writes term-started.txt once its background child exists: only then does SIGTERM
    // test the forwarding (on a loaded machine the script may take seconds to get there).
    for (let i = 0; i < 1500 && !existsSync(path.join(cwd, 'term-started.txt')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(path.join(cwd, 'term-started.txt')), 'the tool never started').toBe(true);
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await ended).toBe('SIGTERM');
    // Well before the tool's own `sleep 30` would have ended it.
    expect(Date.now() - t0).toBeLessThan(20_000);
    await new Promise((r) => setTimeout(r, 2500));
    expect(existsSync(path.join(cwd, 'term-leaked.txt'))).toBe(false);
  });

  it('runs a plain job without looking at the task id, and fails with 125 when its folder is missing', async () => {
    const [first] = spec().tasks;
    const plain = await runScript(jobScript(spec({ array: false, tasks: [first!] })), {});
    expect(plain.status).toBe(0);
    const gone = await runScript(jobScript(spec({ array: false, tasks: [{ ...first!, cwd: path.join(dir, 'missing') }] })), {});
    expect(gone.status).toBe(SCRIPT_SETUP_FAILURE);
  });

  it('asks sbatch for the array, per-task output files, resources and the configured partition', () => {
    const options = sbatchOptions(
      spec({
        resources: { cpus: 1.5, memoryMb: 300, gpus: 1, timeLimitMinutes: 3 },
        settings: { ...DEFAULT_SLURM_SETTINGS, partition: 'gpu', account: 'lab', qos: 'short', arrayParallel: 4, extraArgs: ['--exclusive'] },
      }),
    );
    const escaped = dir.replaceAll('%', '%%');
    expect(options).toEqual([
      '--job-name=biit-tool.id',
      `--chdir=${dir}`,
      '--array=0-1%4',
      `--output=${escaped}/%a.out`,
      `--error=${escaped}/%a.err`,
      '--ntasks=1',
      '--cpus-per-task=2',
      '--mem=300M',
      '--gres=gpu:1',
      '--time=3',
      '--partition=gpu',
      '--account=lab',
      '--qos=short',
      '--exclusive',
    ]);
    expect(sbatchOptions(spec({ array: false, tasks: spec().tasks.slice(0, 1) }))).toContain(`--output=${escaped}/job.out`);
    expect(() => sbatchOptions(spec({ array: false }))).toThrow(/exactly one task/);
    expect(jobName('a b/c')).toBe('biit-a_b_c');
  });

  it('documents how it was submitted in its header', async () => {
    const text = jobScript(spec());
    expect(text.split('\n')[0]).toBe('#!/bin/sh');
    expect(text).toContain("# Submitted with: sbatch --parsable '--job-name=biit-tool.id'");
    await writeFile(path.join(dir, 'check.sh'), text);
    expect(spawnSync('/bin/sh', ['-n', path.join(dir, 'check.sh')]).status).toBe(0);
    expect(await readFile(path.join(dir, 'check.sh'), 'utf8')).toBe(text);
  });
});
