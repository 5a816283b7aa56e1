import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolManifest, RunnerError, type RunnerJob, type ToolManifest } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { findCondaCommand, type CondaCommand } from './conda-command.js';
import { lockLines, type LockedPackage } from './conda-lock.js';
import { CondaRunner } from './conda-runner.js';
import { DEFAULT_CHANNEL_ALIAS, type CondaSettings } from './conda-settings.js';
import { doubleCalls, writeCondaCommandDouble } from './test-support/conda-command-double.js';
import { cphMissing, stampTool, testChannel, type ChannelFixture } from './test-support/test-packages.js';

const never = new AbortController().signal;
let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-command-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const settings = (command: string, envsDir: string): CondaSettings => ({
  command,
  envsDir,
  defaultChannels: [],
  channelAlias: DEFAULT_CHANNEL_ALIAS,
  namedEnvDirs: [],
});

async function job(argv: string[], tool: ToolManifest): Promise<RunnerJob> {
  const id = `job-${++counter}`;
  const cwd = path.join(root, 'jobs', id);
  await mkdir(cwd, { recursive: true });
  return { id, argv, env: {}, cwd, stdoutPath: path.join(cwd, 'stdout.log'), stderrPath: path.join(cwd, 'stderr.log'), tool };
}

const tool = (packages: string[], channels = ['https://conda.example/test-channel']): ToolManifest =>
  createToolManifest(
    {
      id: 'test.double',
      name: 'Double',
      version: '1.0.0',
      description: 'd',
      inputs: [],
      outputs: [],
      command: { argv: ['double-tool'] },
      requirements: { conda: { packages, channels } },
    },
    path.join(root, 'double.tool.json'),
  );

describe('conda runner, command path against a TEST DOUBLE of micromamba/conda (see conda-command-double.ts)', () => {
  it('creates with `create --yes -p PREFIX --override-channels -c URL SPEC...`, runs with `run -p PREFIX argv`, and reads the lock', async () => {
    const bin = path.join(root, 'bin-micromamba');
    const command = await writeCondaCommandDouble(bin, 'micromamba', '1.5.8');
    const envs = path.join(root, 'envs-double');
    const runner = new CondaRunner({ settings: settings(command, envs), progress: () => undefined });
    const hostile = ['two words', '$(id)', '*', '', 'line1\nline2'];
    const first = await job(['sh', '-c', 'for a in "$@"; do printf "<%s>\\n" "$a"; done; double-tool', 'sh', ...hostile], tool(['numpy >=1.2', 'biit-x']));
    const result = await runner.run(first, never);
    expect(result.exitCode).toBe(0);
    const facts = result.environment['conda'] as { prefix: string; lock: LockedPackage[]; createdBy: string };
    expect(await readFile(first.stdoutPath, 'utf8')).toBe(`${hostile.map((a) => `<${a}>\n`).join('')}double-tool in ${facts.prefix}\n`);
    const calls = await doubleCalls(bin);
    expect(calls[0]).toEqual(['--version']);
    expect(calls[1]).toEqual([
      'create',
      '--yes',
      '-p',
      facts.prefix,
      '--override-channels',
      '-c',
      'https://conda.example/test-channel/',
      'biit-x',
      'numpy >=1.2',
    ]);
    expect(calls[2]?.slice(0, 3)).toEqual(['run', '-p', facts.prefix]);
    expect(facts.createdBy).toBe(`micromamba 1.5.8 (${command})`);
    expect(lockLines(facts.lock)).toEqual(['biit-x=1.0=double_0', 'numpy=1.0=double_0']);
    expect(facts.lock[0]?.channel).toBe('https://conda.example/test-channel');
    await runner.run(await job(['double-tool'], tool(['numpy >=1.2', 'biit-x'])), never);
    expect((await doubleCalls(bin)).filter((c) => c[0] === 'create')).toHaveLength(1);
  });

  it('adds --no-capture-output for conda (whose `run` captures output otherwise)', async () => {
    const bin = path.join(root, 'bin-conda');
    const command = await writeCondaCommandDouble(bin, 'conda', 'conda 24.1.2');
    const runner = new CondaRunner({ settings: settings(command, path.join(root, 'envs-conda')), progress: () => undefined });
    await runner.run(await job(['double-tool'], tool(['biit-y'])), never);
    expect((await doubleCalls(bin)).find((c) => c[0] === 'run')?.slice(0, 2)).toEqual(['run', '--no-capture-output']);
  });

  it('names the package the command cannot find and leaves no half-made prefix', async () => {
    const bin = path.join(root, 'bin-fail');
    const command = await writeCondaCommandDouble(bin, 'micromamba', '2.0.5');
    const envs = path.join(root, 'envs-fail');
    const runner = new CondaRunner({ settings: settings(command, envs), progress: () => undefined });
    const error = (await runner.run(await job(['double-tool'], tool(['biit-x', 'missing-pkg'])), never).catch((e: unknown) => e)) as RunnerError;
    expect(error).toBeInstanceOf(RunnerError);
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain("'missing-pkg' cannot be satisfied");
    expect(error.details['package']).toBe('missing-pkg');
    expect(await readdir(envs)).toEqual([]);
  });

  it('kills the command and removes the half-made prefix when the only waiting job is cancelled', async () => {
    const bin = path.join(root, 'bin-slow');
    const command = await writeCondaCommandDouble(bin, 'micromamba', '1.5.8');
    const envs = path.join(root, 'envs-slow');
    const runner = new CondaRunner({ settings: settings(command, envs), progress: () => undefined });
    const controller = new AbortController();
    const pending = runner.run(await job(['double-tool'], tool(['biit-x', 'slow-pkg'])), controller.signal).catch((e: unknown) => e);
    let pid = 0;
    for (let i = 0; i < 400 && pid === 0; i++) {
      pid = Number(await readFile(path.join(bin, 'slow.pid'), 'utf8').catch(() => '0'));
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(pid).toBeGreaterThan(0);
    controller.abort();
    expect(((await pending) as RunnerError).code).toBe('CANCELLED');
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 200 && (alive() || (await readdir(envs)).length > 0); i++) await new Promise((r) => setTimeout(r, 25));
    expect(alive()).toBe(false);
    expect(await readdir(envs)).toEqual([]);
  });

  it('reports a configured command that does not exist', async () => {
    const runner = new CondaRunner({ settings: settings(path.join(root, 'no', 'micromamba'), path.join(root, 'envs-none')), progress: () => undefined });
    const error = (await runner.run(await job(['double-tool'], tool(['x'])), never).catch((e: unknown) => e)) as RunnerError;
    expect(error.message).toContain('BIOIMAGEIT_CONDA_COMMAND');
  });
});

const found: { command?: CondaCommand; why?: string } = await findCondaCommand(undefined).then(
  (command) => (command === undefined ? { why: 'no micromamba, mamba or conda on PATH (nor $MAMBA_EXE / $CONDA_EXE)' } : { command }),
  (e: unknown) => ({ why: e instanceof Error ? e.message : String(e) }),
);
const real = found.command;
const skipReal = skipWithout('conda', found.why, import.meta.url) || skipWithout('cph', await cphMissing(), import.meta.url);

describe.skipIf(skipReal)(`conda runner, command path with the real ${real === undefined ? 'conda command' : path.basename(real.path)}`, () => {
  let fixture: ChannelFixture;
  beforeAll(async () => {
    fixture = await testChannel();
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('creates the environment from the 127.0.0.1 channel and runs the tool in it, with the lock of what it installed', async () => {
    const envs = path.join(root, 'envs-real');
    const runner = new CondaRunner({ settings: settings((real as NonNullable<typeof real>).path, envs), progress: () => undefined });
    const j = await job(['biit-stamp', path.join(root, 'in.csv'), path.join(root, 'out.csv')], stampTool(root, fixture.channel.url));
    await writeFile(path.join(root, 'in.csv'), 'k,v\n');
    const result = await runner.run(j, never);
    expect(result.exitCode).toBe(0);
    const facts = result.environment['conda'] as { prefix: string; lock: LockedPackage[] };
    expect(lockLines(facts.lock)).toEqual(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']);
    const out = await readFile(path.join(root, 'out.csv'), 'utf8');
    expect(out).toContain('lib,2.0.0');
    expect(out).toContain(`config,${facts.prefix}/share/biit-stamp`);
  });
});
