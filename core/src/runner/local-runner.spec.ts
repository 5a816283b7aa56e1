import { getEventListeners } from 'node:events';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError } from '../errors/area-errors.js';
import type { RunnerJob } from '../extension-points/runner.js';
import { RunnerRegistry } from '../registry/registries.js';
import { JOB_TMP_PREFIX } from './job-temp-dir.js';
import { LocalRunner } from './local-runner.js';
import { LocalRunnerContribution } from './local-runner-contribution.js';

let scratch: string;
let counter = 0;
const never = new AbortController().signal;

beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bioimageit-local-runner-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function job(argv: string[], extra: Partial<RunnerJob> = {}): Promise<RunnerJob> {
  const id = `job-${++counter}`;
  const cwd = path.join(scratch, id);
  await mkdir(cwd);
  return { id, argv, env: {}, cwd, stdoutPath: path.join(scratch, `${id}.out`), stderrPath: path.join(scratch, `${id}.err`), ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<RunnerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunnerError);
  return error as RunnerError;
}

async function script(dir: string, name: string, body: string, mode = 0o755): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, mode);
  return file;
}

describe('LocalRunner: command resolution', () => {
  it('finds argv[0] through the PATH declared in the job env', async () => {
    const bin = path.join(scratch, 'bin');
    const tool = await script(bin, 'my-tool', 'echo "tool ran with $1"');
    const j = await job(['my-tool', 'x y'], { env: { PATH: `${bin}:/usr/bin:/bin` } });
    const result = await new LocalRunner().run(j, never);
    expect(result.exitCode).toBe(0);
    expect(result.environment['executable']).toBe(tool);
    expect(await readFile(j.stdoutPath, 'utf8')).toBe('tool ran with x y\n');
  });

  it('skips folders and non-executable files that share the name', async () => {
    await mkdir(path.join(scratch, 'a', 'my-tool'), { recursive: true });
    await script(path.join(scratch, 'b'), 'my-tool', 'echo b', 0o644);
    const tool = await script(path.join(scratch, 'c'), 'my-tool', 'echo c');
    const dirs = ['a', 'b', 'c'].map((d) => path.join(scratch, d)).join(':');
    const result = await new LocalRunner().run(await job(['my-tool'], { env: { PATH: dirs } }), never);
    expect(result.environment['executable']).toBe(tool);
  });

  it('rejects UNAVAILABLE naming the command when PATH has no such tool, without spawning', async () => {
    const j = await job(['no-such-tool-biit', 'arg']);
    const error = await rejection(new LocalRunner().run(j, never));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain("'no-such-tool-biit'");
    expect(error.message).toContain(j.id);
  });

  it('resolves a relative command from the working directory and rejects a non-executable one', async () => {
    const j = await job(['./run.sh']);
    await script(j.cwd, 'run.sh', 'echo relative');
    expect((await new LocalRunner().run(j, never)).exitCode).toBe(0);
    expect(await readFile(j.stdoutPath, 'utf8')).toBe('relative\n');
    const k = await job(['./plain.sh']);
    await script(k.cwd, 'plain.sh', 'echo no', 0o644);
    expect((await rejection(new LocalRunner().run(k, never))).code).toBe('UNAVAILABLE');
  });

  it('shows the tool argv[0] as given, not the resolved path', async () => {
    const j = await job(['sh', '-c', 'echo "$0"']);
    await new LocalRunner().run(j, never);
    expect(await readFile(j.stdoutPath, 'utf8')).toBe('sh\n');
  });

  it('rejects an empty argv with UNAVAILABLE', async () => {
    expect((await rejection(new LocalRunner().run(await job([]), never))).code).toBe('UNAVAILABLE');
  });
});

describe('LocalRunner: working directory, logs and TMPDIR', () => {
  it('rejects UNAVAILABLE naming a missing working directory', async () => {
    const j = await job(['echo', 'x']);
    const cwd = path.join(scratch, 'does-not-exist');
    const error = await rejection(new LocalRunner().run({ ...j, cwd }, never));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain(cwd);
    const file = path.join(scratch, 'a-file');
    await writeFile(file, '');
    expect((await rejection(new LocalRunner().run({ ...j, cwd: file }, never))).message).toContain(file);
  });

  it.each(['helper', 'in-process'] as const)('rejects UNAVAILABLE when a log file cannot be opened, leaving no temp folder (%s spawn)', async (spawn) => {
    const j = await job(['echo', 'x'], { stdoutPath: path.join(scratch, 'missing-dir', 'out.log') });
    const error = await rejection(new LocalRunner({ spawn }).run(j, never));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain('log');
    expect(await readdir(j.cwd)).toEqual([]);
  });

  it('interleaves stdout and stderr in one file when both paths are the same', async () => {
    const base = await job(['sh', '-c', 'echo one; echo two >&2; echo three']);
    const j = { ...base, stderrPath: base.stdoutPath };
    await new LocalRunner().run(j, never);
    expect(await readFile(j.stdoutPath, 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('points TMPDIR to a private folder inside cwd and removes it afterwards', async () => {
    const j = await job(['sh', '-c', 'echo "$TMPDIR"; test -d "$TMPDIR" && touch "$TMPDIR/scratch-file"']);
    expect((await new LocalRunner().run(j, never)).exitCode).toBe(0);
    const tmp = (await readFile(j.stdoutPath, 'utf8')).trim();
    expect(path.dirname(tmp)).toBe(j.cwd);
    expect(path.basename(tmp).startsWith(JOB_TMP_PREFIX)).toBe(true);
    expect(await readdir(j.cwd)).toEqual([]);
  });

  it('uses and keeps a TMPDIR the job names', async () => {
    const tmpDir = path.join(scratch, 'given-tmp');
    const j = await job(['sh', '-c', 'echo "$TMPDIR"; touch "$TMPDIR/kept"'], { tmpDir });
    await new LocalRunner().run(j, never);
    expect((await readFile(j.stdoutPath, 'utf8')).trim()).toBe(tmpDir);
    expect((await stat(path.join(tmpDir, 'kept'))).isFile()).toBe(true);
    const k = await job(['sh', '-c', 'echo "$TMPDIR"']);
    await new LocalRunner().run({ ...k, tmpDir: k.cwd }, never);
    expect((await readFile(k.stdoutPath, 'utf8')).trim()).toBe(k.cwd);
  });

  it('streams output chunks to onOutput while writing the log files', async () => {
    const seen: Record<string, string> = { stdout: '', stderr: '' };
    const j = await job(['sh', '-c', 'echo progress 50%; echo warn >&2; echo progress 100%'], {
      onOutput: (stream, chunk) => {
        seen[stream] += Buffer.from(chunk).toString('utf8');
        if (stream === 'stderr') throw new Error('a failing tap is ignored');
      },
    });
    expect((await new LocalRunner().run(j, never)).exitCode).toBe(0);
    expect(seen).toEqual({ stdout: 'progress 50%\nprogress 100%\n', stderr: 'warn\n' });
    expect(await readFile(j.stdoutPath, 'utf8')).toBe(seen['stdout']);
    expect(await readFile(j.stderrPath, 'utf8')).toBe('warn\n');
  });
});

describe('LocalRunner: environment isolation', () => {
  it('hides the parent process variables (SECRET_TOKEN) and passes only the base, TMPDIR and declared ones', async () => {
    process.env['SECRET_TOKEN'] = 'hunter2';
    try {
      const runner = new LocalRunner();
      const j = await job(['env'], { env: { DECLARED: 'yes' } });
      await runner.run(j, never);
      const lines = (await readFile(j.stdoutPath, 'utf8')).trim().split('\n');
      const names = lines.map((l) => l.slice(0, l.indexOf('=')));
      expect(lines.join('\n')).not.toContain('hunter2');
      expect(names).not.toContain('SECRET_TOKEN');
      expect(names).toContain('DECLARED');
      for (const name of names) expect(['PATH', 'HOME', 'LANG', 'LC_ALL', 'USER', 'TMPDIR', 'DECLARED']).toContain(name);
    } finally {
      delete process.env['SECRET_TOKEN'];
    }
  });

  it('passes through host variables named in passEnv, declared values winning', async () => {
    const runner = new LocalRunner({ hostEnv: { PATH: process.env['PATH'], DISPLAY: ':7', GPU: '1', OTHER: 'no' } });
    const j = await job(['sh', '-c', 'echo "$DISPLAY|$GPU|${OTHER-unset}"'], { passEnv: ['DISPLAY', 'GPU', 'ABSENT'], env: { GPU: '0' } });
    await runner.run(j, never);
    expect(await readFile(j.stdoutPath, 'utf8')).toBe(':7|0|unset\n');
  });
});

describe('LocalRunner: provenance and bookkeeping', () => {
  it('records runner, executable, host, platform and times in environment', async () => {
    const result = await new LocalRunner().run(await job(['echo', 'x']), never);
    const env = result.environment;
    expect(env).toMatchObject({ runner: 'local', platform: process.platform, arch: process.arch });
    expect(typeof env['host']).toBe('string');
    expect(path.isAbsolute(String(env['executable']))).toBe(true);
    expect(Date.parse(String(env['startedAt']))).toBeLessThanOrEqual(Date.parse(String(env['endedAt'])));
    expect(env['durationMs']).toBeGreaterThanOrEqual(0);
    expect(env).not.toHaveProperty('pid');
  });

  it('treats an infinite timeoutMs as no limit', async () => {
    expect((await new LocalRunner().run(await job(['sh', '-c', 'sleep 0.05'], { timeoutMs: Infinity }), never)).exitCode).toBe(0);
  });

  it('leaves no abort listeners behind on a signal shared by many jobs', async () => {
    const runner = new LocalRunner();
    const controller = new AbortController();
    await Promise.all([1, 2, 3, 4, 5].map(async () => runner.run(await job(['true']), controller.signal)));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('LocalRunnerContribution registers a runner with id local', async () => {
    const registry = new RunnerRegistry();
    new LocalRunnerContribution({ killGraceMs: 100 }).registerRunners(registry);
    const runner = await registry.get('local');
    expect(runner).toBeInstanceOf(LocalRunner);
  });
});
