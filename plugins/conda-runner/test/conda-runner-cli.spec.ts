import { spawn } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '@bioimageit/core/testing';
import { lockLines, type LockedPackage } from '../src/conda-lock.js';
import { condaCliWorkspace } from './cli-workspace.js';
import { cphMissing, stampToolBody, testChannel, type ChannelFixture } from '../src/test-support/test-packages.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The CLI from its sources through tsx (no decorator metadata: what users of tsx get). */
const TSX_CLI = ['--conditions=source', '--import', 'tsx', path.join(REPO, 'cli/src/main.ts')];

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe.skipIf(skipWithout('cph', await cphMissing(), import.meta.url))('bioimageit run with the conda runner (CLI process, embedded path)', () => {
  let fixture: ChannelFixture;
  let workspace: string;

  const cli = (args: string[]): Promise<CliResult> => {
    const env = { ...process.env, BIOIMAGEIT_WORKSPACE: workspace, BIOIMAGEIT_CONDA_COMMAND: 'embedded' };
    const child = spawn(process.execPath, [...TSX_CLI, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  };

  beforeAll(async () => {
    fixture = await testChannel();
    const tools = [stampToolBody(fixture.channel.url), stampToolBody(fixture.channel.url, ['biit-stamp', 'biit-lib <2'], 'test.unsolvable')];
    workspace = await condaCliWorkspace('biit-conda-cli-', tools);
  });

  afterAll(async () => {
    await fixture?.cleanup();
    if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
  });

  it('creates the environment with progress on stderr, runs the tool in it and prints the lock in the run', async () => {
    const result = await cli(['run', 'test.stamp', '-e', 'exp', '-o', 'stamped', '--json']);
    expect(result.code, result.stderr).toBe(0);
    type Conda = { lock?: LockedPackage[]; lockIn?: string; lockSha256: string; hash: string };
    const { run } = JSON.parse(result.stdout) as { run: { runner: string; status: string; jobs: { id: string; environment?: { conda?: Conda } }[] } };
    expect(run).toMatchObject({ runner: 'conda', status: 'succeeded' });
    expect(lockLines(run.jobs[0]?.environment?.conda?.lock ?? [])).toEqual(['biit-lib=2.0.0=0', 'biit-stamp=1.0.0=0']);
    expect(run.jobs[1]?.environment?.conda).toMatchObject({ lockIn: run.jobs[0]?.id, lockSha256: run.jobs[0]?.environment?.conda?.lockSha256 });
    const hash = run.jobs[0]?.environment?.conda?.hash as string;
    expect(result.stderr).toContain(`conda env ${hash.slice(0, 8)}: solving [biit-stamp]`);
    expect(result.stderr).toContain(`conda env ${hash.slice(0, 8)}: ready at ${path.join(workspace, '.bioimageit', 'envs', hash)}`);
    const again = await cli(['run', 'test.stamp', '-e', 'exp', '-o', 'stamped-again', '--no-cache', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('conda env');
  });

  it('fails the run naming the package that cannot be satisfied, leaving no environment', async () => {
    const result = await cli(['run', 'test.unsolvable', '-e', 'exp', '-o', 'never']);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/'biit-lib[^']*' cannot be satisfied/);
    const envs = await readdir(path.join(workspace, '.bioimageit', 'envs'));
    expect(envs.filter((n) => n !== '.pkgs')).toHaveLength(1); // only the environment of test.stamp
  });
});
