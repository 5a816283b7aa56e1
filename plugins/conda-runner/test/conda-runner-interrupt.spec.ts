import { spawn } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '@bioimageit/core/testing';
import { condaCliWorkspace } from './cli-workspace.js';
import { cphMissing, stampToolBody, testChannel, type ChannelFixture } from '../src/test-support/test-packages.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX_CLI = ['--conditions=source', '--import', 'tsx', path.join(REPO, 'cli/src/main.ts')];

describe.skipIf(skipWithout('cph', await cphMissing(), import.meta.url))('Ctrl-C while bioimageit run is making a conda environment (CLI process)', () => {
  let fixture: ChannelFixture;
  let workspace: string;
  let gate: http.Server;

  beforeAll(async () => {
    fixture = await testChannel();
    // A channel whose package downloads never answer: the creation is stuck after solving.
    gate = http.createServer((req, res) => {
      if ((req.url ?? '').endsWith('.tar.bz2')) return;
      readFile(path.join(fixture.work, 'channel', decodeURIComponent(req.url ?? '/'))).then(
        (bytes) => res.end(bytes),
        () => ((res.statusCode = 404), res.end()),
      );
    });
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    const channel = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
    workspace = await condaCliWorkspace('biit-conda-interrupt-', [stampToolBody(channel)]);
  });

  afterAll(async () => {
    gate?.closeAllConnections();
    await new Promise((r) => gate?.close(r));
    await fixture?.cleanup();
    if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
  });

  it('stops the creation, exits with 130 at once, and leaves no environment, staging folder or lock', async () => {
    const env = { ...process.env, BIOIMAGEIT_WORKSPACE: workspace, BIOIMAGEIT_CONDA_COMMAND: 'embedded' };
    const child = spawn(process.execPath, [...TSX_CLI, 'run', 'test.stamp', '-e', 'exp', '-o', 'stamped', '-j', '2'], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const envs = path.join(workspace, '.bioimageit', 'envs');
    // Solved, and downloading (the package cache folder exists): the downloads hang.
    for (let i = 0; i < 1200 && !(await readdir(envs).catch(() => [] as string[])).includes('.pkgs'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(stderr).toContain('solving [biit-stamp]');
    const interrupted = Date.now();
    child.kill('SIGINT');
    const code = await done;
    expect(code, stderr).toBe(130);
    expect(Date.now() - interrupted).toBeLessThan(10_000);
    expect((await readdir(envs)).filter((n) => n !== '.pkgs')).toEqual([]);
    expect(await readdir(path.join(envs, '.pkgs'))).toEqual([]);
  });
});
