import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError, type RunnerErrorCode } from '../errors/area-errors.js';
import type { Runner, RunnerJob, RunnerResult } from '../extension-points/runner.js';

/** What a runner's test file hands to {@link describeRunnerContract}, per test. */
export interface RunnerFixture {
  /** The runner under test, fresh for this test (or shared: the suite never disposes it). */
  readonly runner: Runner;
  /** An empty folder on this machine that the runner's tools can read and write at the same path. */
  readonly scratch: string;
  /** Removes everything the test created. */
  cleanup(): Promise<void>;
}

/** Prints each argument on its own line between angle brackets, so that empty ones show. */
const ECHO_ARGS = 'for a in "$@"; do printf "<%s>\\n" "$a"; done';

/** Argument values a shell would split, expand, substitute or glob; each must arrive unchanged. */
const HOSTILE_ARGS = [
  'two words',
  'x; rm -rf ~',
  '$(id)',
  '`id`',
  '${HOME}',
  '"double"',
  "'single'",
  '*',
  '*.txt',
  '?',
  '[ab]',
  '~',
  'a|b&c>d<e',
  '',
  'tab\there',
  'line1\nline2',
  'back\\slash',
  'ünïcödé µm',
  '-n',
];

async function rejectsWith(promise: Promise<unknown>, code: RunnerErrorCode): Promise<RunnerError> {
  const error = await promise.then(
    (value) => ({ resolved: value }),
    (e: unknown) => e,
  );
  expect(error, `expected RunnerError ${code}`).toBeInstanceOf(RunnerError);
  expect((error as RunnerError).code).toBe(code);
  return error as RunnerError;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Polls until `file` exists (the tool reached a known point) or `ms` pass. */
async function waitForFile(file: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await exists(file))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The behaviour every Runner promises, as a vitest suite. A runner package calls it from a spec
 * file with a `setup` that makes a runner and an empty scratch folder per test:
 *
 * ```ts
 * describeRunnerContract('docker', async () => ({ runner, scratch, cleanup }));
 * ```
 *
 * Tools used: `sh`, `cat`, `echo`, `sleep` (busybox is enough). Covers exit codes (zero and
 * non-zero resolve), literal argv (shell metacharacters, quotes, globs, empty and multi-line
 * arguments), empty stdin, stdout/stderr appended to their log files (created when empty, large
 * output complete), declared variables reaching the tool while undeclared host variables do not,
 * the working directory, TIMEOUT, CANCELLED (before start and while running, with nothing left
 * running afterwards), concurrent jobs and a non-empty JSON-serializable `environment`.
 */
export function describeRunnerContract(label: string, setup: () => Promise<RunnerFixture>): void {
  describe(`Runner contract: ${label}`, () => {
    let fixture: RunnerFixture;
    let counter = 0;

    beforeEach(async () => {
      fixture = await setup();
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    /** A job with its own working folder and log paths inside scratch. */
    async function job(argv: string[], extra: Partial<RunnerJob> = {}): Promise<RunnerJob> {
      const id = `contract-${++counter}`;
      const cwd = path.join(fixture.scratch, id);
      await mkdir(cwd, { recursive: true });
      const logs = path.join(fixture.scratch, `${id}-logs`);
      await mkdir(logs, { recursive: true });
      return { id, argv, env: {}, cwd, stdoutPath: path.join(logs, 'stdout.log'), stderrPath: path.join(logs, 'stderr.log'), ...extra };
    }

    const run = (j: RunnerJob, signal: AbortSignal = new AbortController().signal): Promise<RunnerResult> => fixture.runner.run(j, signal);
    const text = (file: string): Promise<string> => readFile(file, 'utf8');

    it('has a non-empty id', () => {
      expect(fixture.runner.id).toMatch(/\S/);
    });

    it('resolves exit code 0 for a succeeding tool', async () => {
      const result = await run(await job(['sh', '-c', 'exit 0']));
      expect(result.exitCode).toBe(0);
    });

    it('resolves (does not reject) with a non-zero exit code', async () => {
      const result = await run(await job(['sh', '-c', 'exit 3']));
      expect(result.exitCode).toBe(3);
    });

    it('passes every argv element literally, without a shell', async () => {
      const j = await job(['sh', '-c', ECHO_ARGS, 'sh', ...HOSTILE_ARGS]);
      await writeFile(path.join(j.cwd, 'would-be-globbed.txt'), 'x');
      const result = await run(j);
      expect(result.exitCode).toBe(0);
      expect(await text(j.stdoutPath)).toBe(HOSTILE_ARGS.map((a) => `<${a}>\n`).join(''));
    });

    it('passes arguments to a command without any shell in the way', async () => {
      const j = await job(['echo', 'a  b', '$(id)', '*']);
      await writeFile(path.join(j.cwd, 'glob-me.txt'), 'x');
      await run(j);
      expect(await text(j.stdoutPath)).toBe('a  b $(id) *\n');
    });

    it('writes stdout and stderr to their own log files', async () => {
      const j = await job(['sh', '-c', 'echo to-out; echo to-err >&2; echo more-out']);
      await run(j);
      expect(await text(j.stdoutPath)).toBe('to-out\nmore-out\n');
      expect(await text(j.stderrPath)).toBe('to-err\n');
    });

    it('creates both log files even when the tool writes nothing', async () => {
      const j = await job(['sh', '-c', 'exit 0']);
      await run(j);
      expect(await text(j.stdoutPath)).toBe('');
      expect(await text(j.stderrPath)).toBe('');
    });

    it('appends to existing log files', async () => {
      const j = await job(['echo', 'second']);
      await writeFile(j.stdoutPath, 'first\n');
      await run(j);
      expect(await text(j.stdoutPath)).toBe('first\nsecond\n');
    });

    it('captures large output completely', async () => {
      const j = await job(['cat', 'big.bin']);
      const big = randomBytes(3 * 1024 * 1024);
      await writeFile(path.join(j.cwd, 'big.bin'), big);
      expect((await run(j)).exitCode).toBe(0);
      expect((await readFile(j.stdoutPath)).equals(big)).toBe(true);
    });

    it('gives the tool an empty stdin', async () => {
      const j = await job(['cat'], { timeoutMs: 20_000 });
      expect((await run(j)).exitCode).toBe(0);
      expect(await text(j.stdoutPath)).toBe('');
    });

    it('gives declared variables to the tool and withholds undeclared host variables', async () => {
      const name = 'BIIT_RUNNER_CONTRACT_UNDECLARED';
      const before = process.env[name];
      process.env[name] = 'leaked';
      try {
        const script = `printf "%s|%s|%s" "\${BIIT_DECLARED-unset}" "\${BIIT_SPACED-unset}" "\${${name}-unset}"`;
        const j = await job(['sh', '-c', script], { env: { BIIT_DECLARED: 'yes', BIIT_SPACED: 'a b;$(id)' } });
        await run(j);
        expect(await text(j.stdoutPath)).toBe('yes|a b;$(id)|unset');
      } finally {
        if (before === undefined) delete process.env[name];
        else process.env[name] = before;
      }
    });

    it('runs the tool in the working directory', async () => {
      const j = await job(['sh', '-c', 'cat input.txt > output.txt']);
      await writeFile(path.join(j.cwd, 'input.txt'), 'relative paths work');
      expect((await run(j)).exitCode).toBe(0);
      expect(await text(path.join(j.cwd, 'output.txt'))).toBe('relative paths work');
    });

    it('rejects with TIMEOUT naming the job and the limit when the tool runs too long', async () => {
      const j = await job(['sleep', '30'], { timeoutMs: 300 });
      const started = Date.now();
      const error = await rejectsWith(run(j), 'TIMEOUT');
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(error.message).toContain(j.id);
      expect(error.message).toContain('300');
    });

    it('rejects with CANCELLED without running when the signal is already aborted', async () => {
      const j = await job(['sh', '-c', 'echo ran > ran.txt']);
      const controller = new AbortController();
      controller.abort();
      await rejectsWith(run(j, controller.signal), 'CANCELLED');
      expect(await exists(path.join(j.cwd, 'ran.txt'))).toBe(false);
    });

    it('rejects with CANCELLED on abort and leaves nothing of the job running', async () => {
      const script = '(sleep 1; echo leaked > leaked.txt) & echo started > started.txt; sleep 30; echo late > late.txt';
      const j = await job(['sh', '-c', script]);
      const controller = new AbortController();
      const pending = run(j, controller.signal);
      await waitForFile(path.join(j.cwd, 'started.txt'));
      const started = Date.now();
      controller.abort();
      const error = await rejectsWith(pending, 'CANCELLED');
      expect(error.message).toContain(j.id);
      expect(Date.now() - started).toBeLessThan(15_000);
      await sleep(1500);
      expect(await exists(path.join(j.cwd, 'leaked.txt'))).toBe(false);
      expect(await exists(path.join(j.cwd, 'late.txt'))).toBe(false);
    });

    it('ignores an abort after the job finished', async () => {
      const controller = new AbortController();
      const result = await run(await job(['echo', 'done']), controller.signal);
      controller.abort();
      expect(result.exitCode).toBe(0);
    });

    it('runs jobs concurrently without mixing their outputs', async () => {
      const jobs = await Promise.all([0, 1, 2, 3].map((i) => job(['sh', '-c', `sleep 0.2; echo job-${i}`])));
      const results = await Promise.all(jobs.map((j) => run(j)));
      expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0, 0]);
      expect(await Promise.all(jobs.map((j) => text(j.stdoutPath)))).toEqual(['job-0\n', 'job-1\n', 'job-2\n', 'job-3\n']);
    });

    it('records a non-empty, JSON-serializable environment naming the runner', async () => {
      const result = await run(await job(['echo', 'hi']));
      expect(Object.keys(result.environment).length).toBeGreaterThan(0);
      expect(result.environment['runner']).toBe(fixture.runner.id);
      expect(JSON.parse(JSON.stringify(result.environment))).toEqual(result.environment);
    });
  });
}
