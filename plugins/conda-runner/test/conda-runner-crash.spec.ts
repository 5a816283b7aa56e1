import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '@bioimageit/core/testing';
import { CondaRunner } from '../src/conda-runner.js';
import { DEFAULT_CHANNEL_ALIAS } from '../src/conda-settings.js';
import { cphMissing, stampTool, testChannel, type ChannelFixture } from '../src/test-support/test-packages.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe.skipIf(skipWithout('cph', await cphMissing(), import.meta.url))('conda runner: a process killed while creating an environment', () => {
  let fixture: ChannelFixture;
  let root: string;
  let gate: http.Server;
  let held = true;

  beforeAll(async () => {
    fixture = await testChannel();
    root = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-crash-'));
    // A channel in front of the test channel that holds package downloads while `held`.
    gate = http.createServer((req, res) => {
      if (held && (req.url ?? '').endsWith('.tar.bz2')) return; // never answers: the creation is stuck mid-way
      readFile(path.join(fixture.work, 'channel', decodeURIComponent(req.url ?? '/'))).then(
        (bytes) => res.end(bytes),
        () => ((res.statusCode = 404), res.end()),
      );
    });
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    gate?.closeAllConnections();
    await new Promise((r) => gate?.close(r));
    await fixture?.cleanup();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('leaves nothing usable behind, and the next runner takes the lock over and makes the environment', async () => {
    const channel = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
    const envs = path.join(root, 'envs');
    const jobDir = path.join(root, 'job');
    await mkdir(jobDir, { recursive: true });
    const script = [
      "import { CondaRunner } from './plugins/conda-runner/src/conda-runner.ts';",
      "import { stampTool } from './plugins/conda-runner/src/test-support/test-packages.ts';",
      `const runner = new CondaRunner({ settings: { command: 'embedded', envsDir: ${JSON.stringify(envs)}, defaultChannels: [], channelAlias: 'x/', namedEnvDirs: [] }, progress: (e) => console.log(e.phase) });`,
      `const tool = stampTool(${JSON.stringify(root)}, ${JSON.stringify(channel)});`,
      `await runner.run({ id: 'doomed', argv: ['true'], env: {}, cwd: ${JSON.stringify(jobDir)}, stdoutPath: ${JSON.stringify(path.join(jobDir, 'o'))}, stderrPath: ${JSON.stringify(path.join(jobDir, 'e'))}, tool }, new AbortController().signal);`,
    ].join('\n');
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    for (let i = 0; i < 600 && !(await readdir(envs).catch(() => [] as string[])).some((n) => n.startsWith('.staging-')); i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // solved, now waiting for the held downloads
    expect(output).toContain('solving');
    child.kill('SIGKILL');
    await exited;
    const left = await readdir(envs);
    expect(left.some((n) => n.endsWith('.lock'))).toBe(true); // the dead process's lock is still there
    expect(left.filter((n) => /^[0-9a-f]{20}$/.test(n))).toEqual([]); // no prefix that could be mistaken for ready

    held = false;
    const runner = new CondaRunner({
      settings: { command: 'embedded', envsDir: envs, defaultChannels: [], channelAlias: DEFAULT_CHANNEL_ALIAS, namedEnvDirs: [] },
      progress: () => undefined,
    });
    const result = await runner.run(
      {
        id: 'next',
        argv: ['biit-stamp', '/dev/null', path.join(jobDir, 'out.csv')],
        env: {},
        cwd: jobDir,
        stdoutPath: path.join(jobDir, 'o2'),
        stderrPath: path.join(jobDir, 'e2'),
        tool: stampTool(root, channel),
      },
      new AbortController().signal,
    );
    expect(result.exitCode).toBe(0);
    const after = await readdir(envs);
    expect(after.filter((n) => n.startsWith('.staging-') || n.endsWith('.lock'))).toEqual([]);
    expect(after.filter((n) => /^[0-9a-f]{20}$/.test(n))).toHaveLength(1);
  });
});
