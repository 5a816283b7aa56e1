import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerError, type RunnerJob } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { lockLines } from './conda-lock.js';
import { CondaRunner } from './conda-runner.js';
import { DEFAULT_CHANNEL_ALIAS, type CondaSettings } from './conda-settings.js';
import type { EnvironmentProgressEvent } from './environment-progress.js';
import type { EnvironmentRecord } from './environment-manager.js';
import { deadChannelUrl, LONG_PLACEHOLDER } from './test-support/conda-channel.js';
import { binaryWith, cphMissing, stampTool, testChannel, type ChannelFixture } from './test-support/test-packages.js';

describe.skipIf(skipWithout('cph', await cphMissing(), import.meta.url))(
  'conda runner, embedded path (rattler + own installer), real packages on a 127.0.0.1 channel',
  () => {
    let fixture: ChannelFixture;
    let root: string;
    let counter = 0;

    beforeAll(async () => {
      fixture = await testChannel();
      root = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-embedded-'));
    });
    afterAll(async () => {
      await fixture?.cleanup();
      if (root !== undefined) await rm(root, { recursive: true, force: true });
    });

    const settings = (envsDir: string): CondaSettings => ({
      command: 'embedded',
      envsDir,
      defaultChannels: ['conda-forge'],
      channelAlias: DEFAULT_CHANNEL_ALIAS,
      namedEnvDirs: [],
    });

    function runner(envsDir: string, events: EnvironmentProgressEvent[] = []): CondaRunner {
      return new CondaRunner({ settings: settings(envsDir), progress: (e) => events.push(e), killGraceMs: 300 });
    }

    async function stampJob(packages: readonly string[] = ['biit-stamp'], channel = fixture.channel.url): Promise<RunnerJob> {
      const id = `job-${++counter}`;
      const cwd = path.join(root, 'jobs', id);
      await mkdir(cwd, { recursive: true });
      await writeFile(path.join(cwd, 'in.csv'), 'key,value\nitem,1\n');
      return {
        id,
        argv: ['biit-stamp', path.join(cwd, 'in.csv'), path.join(cwd, 'out.csv')],
        env: {},
        cwd,
        stdoutPath: path.join(cwd, 'stdout.log'),
        stderrPath: path.join(cwd, 'stderr.log'),
        tool: stampTool(root, channel, packages),
      };
    }

    const never = new AbortController().signal;
    const conda = (environment: Record<string, unknown>) =>
      environment['conda'] as Record<string, unknown> & { lock: EnvironmentRecord['lock']; prefix: string; hash: string };
    const downloads = (): number =>
      [...fixture.channel.requests].filter(([p]) => p.endsWith('.tar.bz2') || p.endsWith('.conda')).reduce((n, [, c]) => n + c, 0);
    const exists = (p: string) =>
      stat(p).then(
        () => true,
        () => false,
      );

    it('solves, installs into a prefix named by the requirements hash, and runs the tool with conda run semantics', async () => {
      const envs = path.join(root, 'envs-main');
      const events: EnvironmentProgressEvent[] = [];
      const job = await stampJob();
      const result = await runner(envs, events).run(job, never);
      expect(await readFile(job.stderrPath, 'utf8')).toBe('');
      expect(result.exitCode).toBe(0);
      const facts = conda(result.environment);
      expect(result.environment['runner']).toBe('conda');
      expect(path.dirname(facts.prefix)).toBe(envs);
      expect(path.basename(facts.prefix)).toBe(facts.hash);
      expect(lockLines(facts.lock)).toEqual(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']);
      expect(facts.lock.map((p) => [p.channel, p.subdir])).toEqual([
        [fixture.channel.url.replace(/\/$/, ''), 'noarch'],
        [fixture.channel.url.replace(/\/$/, ''), 'linux-64'],
      ]);
      expect(facts.lock.every((p) => /^[0-9a-f]{64}$/.test(p.sha256 ?? '') && p.url?.startsWith(fixture.channel.url))).toBe(true);
      const out = await readFile(path.join(job.cwd, 'out.csv'), 'utf8');
      expect(out).toBe(
        [
          'key,value',
          'item,1',
          'lib,2.0.0',
          'activated,activate.d of biit-lib 2.0.0',
          `config,${facts.prefix}/share/biit-stamp`,
          `prefix,${facts.prefix}`,
          '',
        ].join('\n'),
      );
      expect(events.map((e) => e.phase)).toEqual(expect.arrayContaining(['solving', 'downloading', 'linking', 'ready']));
      expect(events.filter((e) => e.phase === 'ready')).toHaveLength(1);
    });

    it('lays the prefix out as conda does: conda-meta records, history, replaced placeholders, post-link, lock record', async () => {
      const envs = path.join(root, 'envs-layout');
      const result = await runner(envs).run(await stampJob(['biit-stamp', 'biit-cfmt']), never);
      const prefix = conda(result.environment).prefix;
      const meta = (await readdir(path.join(prefix, 'conda-meta'))).sort();
      expect(meta).toEqual(['biit-cfmt-1.0.0-0.json', 'biit-lib-2.0.0-0.json', 'biit-stamp-1.0.0-0.json', 'history']);
      const stampRecord = JSON.parse(await readFile(path.join(prefix, 'conda-meta', 'biit-stamp-1.0.0-0.json'), 'utf8')) as Record<string, unknown>;
      expect(stampRecord).toMatchObject({
        name: 'biit-stamp',
        version: '1.0.0',
        build: '0',
        subdir: 'linux-64',
        fn: 'biit-stamp-1.0.0-0.tar.bz2',
        requested_spec: 'biit-stamp',
        depends: ['biit-lib >=2'],
      });
      expect(stampRecord['files']).toEqual(['bin/biit-stamp', 'etc/biit-stamp.conf', 'lib/biit-stamp.dat']);
      expect(await readFile(path.join(prefix, 'conda-meta', 'history'), 'utf8')).toContain(`+${fixture.channel.url.replace(/\/$/, '')}::biit-stamp-1.0.0-0`);
      expect(await readFile(path.join(prefix, 'share', 'biit-lib', 'home.txt'), 'utf8')).toBe(`${prefix}/share/biit-lib\n`);
      const binary = await readFile(path.join(prefix, 'lib', 'biit-stamp.dat'));
      const expected = Buffer.concat([
        Buffer.from('HEAD\0'),
        Buffer.from(`${prefix}/lib/biit`),
        Buffer.alloc(LONG_PLACEHOLDER.length - prefix.length + 1),
        Buffer.from('TAIL'),
      ]);
      expect(binary.length).toBe(binaryWith(LONG_PLACEHOLDER).length);
      expect(binary.equals(expected)).toBe(true);
      expect(await readFile(path.join(prefix, 'share', 'biit-lib', 'post-link.txt'), 'utf8')).toBe('post-link biit-lib 2.0.0\n');
      expect(await readFile(path.join(prefix, 'share', 'biit-cfmt', 'hello.txt'), 'utf8')).toBe('from a .conda archive\n');
      const record = JSON.parse(await readFile(path.join(prefix, '.bioimageit', 'environment.json'), 'utf8')) as EnvironmentRecord;
      expect(record).toMatchObject({ hash: path.basename(prefix), prefix, specs: ['biit-cfmt', 'biit-stamp'], channels: [fixture.channel.url] });
      expect(record.createdBy).toMatch(/^embedded/);
      expect(lockLines(record.lock)).toEqual(['biit-cfmt=1.0.0=0', 'biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']);
      const explicit = await readFile(path.join(prefix, '.bioimageit', 'explicit.txt'), 'utf8');
      expect(explicit.split('\n')[0]).toBe('@EXPLICIT');
      expect(explicit).toMatch(/biit-stamp-1\.0\.0-0\.tar\.bz2#[0-9a-f]{32}/);
    });

    it('reuses an environment: a second runner makes no request to the channel', async () => {
      const envs = path.join(root, 'envs-reuse');
      const first = await runner(envs).run(await stampJob(), never);
      const before = new Map(fixture.channel.requests);
      const events: EnvironmentProgressEvent[] = [];
      const second = await runner(envs, events).run(await stampJob(), never);
      expect(second.exitCode).toBe(0);
      expect(conda(second.environment).prefix).toBe(conda(first.environment).prefix);
      expect(conda(second.environment)['createdAt']).toBe(conda(first.environment)['createdAt']);
      expect(fixture.channel.requests).toEqual(before);
      expect(events).toEqual([]);
    });

    it('creates a new environment when the requirement changes', async () => {
      const envs = path.join(root, 'envs-change');
      const a = conda((await runner(envs).run(await stampJob(['biit-stamp']), never)).environment);
      const b = conda((await runner(envs).run(await stampJob(['biit-stamp', 'biit-lib >=2']), never)).environment);
      expect(b.hash).not.toBe(a.hash);
      expect((await readdir(envs)).filter((n) => !n.startsWith('.')).sort()).toEqual([a.hash, b.hash].sort());
    });

    it('creates an environment once when jobs of one runner and of two runners need it at the same time', async () => {
      const envs = path.join(root, 'envs-concurrent');
      const downloadsBefore = downloads();
      const events: EnvironmentProgressEvent[] = [];
      const one = runner(envs, events);
      const two = runner(envs, events);
      const jobs = await Promise.all([stampJob(), stampJob(), stampJob(), stampJob()]);
      const results = await Promise.all([
        one.run(jobs[0] as RunnerJob, never),
        one.run(jobs[1] as RunnerJob, never),
        two.run(jobs[2] as RunnerJob, never),
        two.run(jobs[3] as RunnerJob, never),
      ]);
      expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0, 0]);
      expect(new Set(results.map((r) => conda(r.environment).prefix)).size).toBe(1);
      expect(events.filter((e) => e.phase === 'solving')).toHaveLength(1);
      expect(events.filter((e) => e.phase === 'ready')).toHaveLength(1);
      expect(events.filter((e) => e.phase === 'waiting')).toHaveLength(1);
      expect(downloads() - downloadsBefore).toBe(2); // biit-lib and biit-stamp, once each
    });

    async function leftovers(envs: string): Promise<string[]> {
      return (await readdir(envs).catch(() => [] as string[])).filter((n) => n !== '.pkgs');
    }

    it('names the package that cannot be satisfied and leaves no prefix', async () => {
      const envs = path.join(root, 'envs-unsolvable');
      const error = await runner(envs)
        .run(await stampJob(['biit-stamp', 'biit-lib <2']), never)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(RunnerError);
      expect((error as RunnerError).code).toBe('UNAVAILABLE');
      expect((error as RunnerError).message).toMatch(/'biit-lib[^']*' cannot be satisfied/);
      expect((error as RunnerError).message).toContain('test.stamp');
      expect((error as RunnerError).details['package']).toMatch(/^biit-lib/);
      expect(await leftovers(envs)).toEqual([]);
    });

    it('names a package that no channel has', async () => {
      const envs = path.join(root, 'envs-missing');
      const error = (await runner(envs)
        .run(await stampJob(['biit-nowhere >=3']), never)
        .catch((e: unknown) => e)) as RunnerError;
      expect(error.message).toContain("'biit-nowhere >=3' cannot be satisfied");
      expect(await leftovers(envs)).toEqual([]);
    });

    it('names a channel that is down and leaves no prefix', async () => {
      const envs = path.join(root, 'envs-down');
      const dead = await deadChannelUrl();
      const error = (await runner(envs)
        .run(await stampJob(['biit-stamp'], dead), never)
        .catch((e: unknown) => e)) as RunnerError;
      expect(error).toBeInstanceOf(RunnerError);
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain(`conda channel ${dead} cannot be reached`);
      expect(error.details['channel']).toBe(dead);
      expect(await leftovers(envs)).toEqual([]);
    });

    it('names the channel that is down when another one answers', async () => {
      const dead = await deadChannelUrl();
      const job = await stampJob();
      const tool = {
        ...(job.tool as NonNullable<RunnerJob['tool']>),
        requirements: { conda: { packages: ['biit-stamp'], channels: [fixture.channel.url, dead] } },
      };
      const error = (await runner(path.join(root, 'envs-two-channels'))
        .run({ ...job, tool }, never)
        .catch((e: unknown) => e)) as RunnerError;
      expect(error.message).toContain(`conda channel ${dead} cannot be reached`);
    });

    it('keeps channel credentials out of errors and progress', async () => {
      const dead = new URL(await deadChannelUrl());
      const secret = `http://ada:s3cret@${dead.host}/t/tok-123/private/`;
      const events: EnvironmentProgressEvent[] = [];
      const error = (await runner(path.join(root, 'envs-secret'), events)
        .run(await stampJob(['biit-stamp'], secret), never)
        .catch((e: unknown) => e)) as RunnerError;
      expect(error.message).toContain(`conda channel http://***@${dead.host}/t/***/private/ cannot be reached`);
      const everything = JSON.stringify([error.toJSON(), events]);
      expect(everything).not.toContain('s3cret');
      expect(everything).not.toContain('tok-123');
    });

    it('removes a half-made prefix (no record) instead of using it', async () => {
      const envs = path.join(root, 'envs-half');
      const job = await stampJob();
      const first = conda((await runner(envs).run(job, never)).environment);
      await rm(path.join(first.prefix, '.bioimageit'), { recursive: true });
      await rm(path.join(first.prefix, 'bin', 'biit-stamp'));
      const again = await runner(envs).run(await stampJob(), never);
      expect(again.exitCode).toBe(0);
      expect(await exists(path.join(first.prefix, 'bin', 'biit-stamp'))).toBe(true);
    });

    it('installs noarch python packages into site-packages with their entry points', async () => {
      const envs = path.join(root, 'envs-python');
      const job = { ...(await stampJob(['biit-pyhello'])), argv: ['biit-pyhello'] };
      const result = await runner(envs).run(job, never);
      const prefix = conda(result.environment).prefix;
      expect(await readFile(job.stderrPath, 'utf8')).toBe('');
      expect(result.exitCode).toBe(0);
      expect(await readFile(job.stdoutPath, 'utf8')).toBe(
        `hello from ${prefix}/lib/python3.11/site-packages/biit_pyhello/cli.py as ${prefix}/bin/biit-pyhello\n`,
      );
      expect(lockLines(conda(result.environment).lock)).toEqual(['biit-pyhello=1.0.0=0', 'python=3.11.0=0']);
      const record = JSON.parse(await readFile(path.join(prefix, 'conda-meta', 'biit-pyhello-1.0.0-0.json'), 'utf8')) as { files: string[] };
      expect(record.files).toEqual([
        'lib/python3.11/site-packages/biit_pyhello/__init__.py',
        'lib/python3.11/site-packages/biit_pyhello/cli.py',
        'bin/biit-pyhello',
      ]);
    });

    it('runs in an existing environment named by the requirement, recording its lock', async () => {
      const envs = path.join(root, 'envs-named-made');
      const made = conda((await runner(envs).run(await stampJob(), never)).environment);
      const named = path.join(root, 'named-envs');
      await mkdir(named, { recursive: true });
      const { rename } = await import('node:fs/promises');
      await rename(made.prefix, path.join(named, 'stamp-env'));
      const job = await stampJob();
      const tool = { ...(job.tool as NonNullable<RunnerJob['tool']>), requirements: { conda: { env: 'stamp-env' } } };
      const withDirs = new CondaRunner({
        settings: { ...settings(path.join(root, 'envs-unused')), namedEnvDirs: [path.join(root, 'nowhere'), named] },
        progress: () => undefined,
      });
      const result = await withDirs.run({ ...job, argv: ['sh', '-c', 'echo "$CONDA_PREFIX|$BIIT_ACTIVATED"'], tool }, never);
      expect(await readFile(job.stdoutPath, 'utf8')).toBe(`${path.join(named, 'stamp-env')}|activate.d of biit-lib 2.0.0\n`);
      expect(conda(result.environment)).toMatchObject({ prefix: path.join(named, 'stamp-env'), name: 'stamp-env', managed: false });
      expect(lockLines(conda(result.environment).lock)).toEqual(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']);
      const missing = (await withDirs
        .run({ ...job, tool: { ...tool, requirements: { conda: { env: 'absent-env' } } } }, never)
        .catch((e: unknown) => e)) as RunnerError;
      expect(missing.message).toContain(`conda environment 'absent-env' does not exist (looked in ${path.join(root, 'nowhere')}, ${named})`);
    });

    it('makes an environment from an environment file next to the manifest, with its variables', async () => {
      const folder = path.join(root, 'file-tool');
      await mkdir(folder, { recursive: true });
      await writeFile(
        path.join(folder, 'environment.yml'),
        `name: stamp\nchannels:\n  - ${fixture.channel.url}\ndependencies:\n  - biit-stamp\nvariables:\n  BIIT_FROM_FILE: "set by the file"\n`,
      );
      const job = await stampJob();
      const tool = {
        ...(job.tool as NonNullable<RunnerJob['tool']>),
        source: path.join(folder, 'stamp.tool.json'),
        requirements: { conda: { file: 'environment.yml' } },
      };
      const result = await runner(path.join(root, 'envs-file')).run({ ...job, argv: ['sh', '-c', 'echo "$BIIT_FROM_FILE|$BIIT_ACTIVATED"'], tool }, never);
      expect(await readFile(job.stdoutPath, 'utf8')).toBe('set by the file|activate.d of biit-lib 2.0.0\n');
      expect(conda(result.environment)).toMatchObject({ name: 'stamp', specs: ['biit-stamp'] });
      const state = JSON.parse(await readFile(path.join(conda(result.environment).prefix, 'conda-meta', 'state'), 'utf8')) as unknown;
      expect(state).toEqual({ env_vars: { BIIT_FROM_FILE: 'set by the file' } });
    });

    it('solves and installs from a local channel folder (file://) as well', async () => {
      const folder = path.join(fixture.work, 'channel');
      const job = await stampJob();
      const tool = { ...(job.tool as NonNullable<RunnerJob['tool']>), requirements: { conda: { packages: ['biit-stamp'], channels: [folder] } } };
      const before = new Map(fixture.channel.requests);
      const result = await runner(path.join(root, 'envs-local')).run({ ...job, tool }, never);
      expect(result.exitCode).toBe(0);
      const facts = conda(result.environment);
      expect(facts.lock.map((p) => [p.name, p.channel, p.url])).toEqual([
        ['biit-lib', `file://${folder}`, `file://${folder}/noarch/biit-lib-2.0.0-0.tar.bz2`],
        ['biit-stamp', `file://${folder}`, `file://${folder}/linux-64/biit-stamp-1.0.0-0.tar.bz2`],
      ]);
      expect(fixture.channel.requests).toEqual(before); // nothing went through the HTTP channel
    });

    it('records the environment in a timed-out job too', async () => {
      const job = { ...(await stampJob()), argv: ['sleep', '30'], timeoutMs: 300 };
      const error = (await runner(path.join(root, 'envs-main'))
        .run(job, never)
        .catch((e: unknown) => e)) as RunnerError;
      expect(error.code).toBe('TIMEOUT');
      const environment = error.details['environment'] as Record<string, unknown>;
      expect(environment['runner']).toBe('conda');
      expect(lockLines(conda(environment).lock)).toEqual(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']);
    });

    it('records the environment in a job whose command does not exist', async () => {
      const job = { ...(await stampJob()), argv: ['no-such-tool-anywhere'] };
      const error = (await runner(path.join(root, 'envs-main'))
        .run(job, never)
        .catch((e: unknown) => e)) as RunnerError;
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain("'no-such-tool-anywhere' was not found");
      expect(lockLines(conda(error.details['environment'] as Record<string, unknown>).lock)).toEqual(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']);
    });

    it('refuses a job whose tool declares no conda requirement', async () => {
      const job = await stampJob();
      const error = (await runner(path.join(root, 'envs-none'))
        .run({ ...job, tool: { ...(job.tool as NonNullable<RunnerJob['tool']>), requirements: {} } }, never)
        .catch((e: unknown) => e)) as RunnerError;
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain("tool 'test.stamp' declares no conda requirement");
    });
  },
);
