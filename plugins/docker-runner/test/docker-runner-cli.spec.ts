import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { ENGINES, engineMissing, startTestEngine, type TestEngine } from '../src/test-support/test-engine.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The CLI from its sources through tsx (no decorator metadata: what users of tsx get). */
const TSX_CLI = ['--conditions=source', '--import', 'tsx', path.join(REPO, 'cli/src/main.ts')];
const IMAGE = 'bioimageit-test/busybox:cli';

const tool = (id: string, script: string): Record<string, unknown> => ({
  id,
  name: id,
  version: '1.0.0',
  description: 'docker-runner CLI test tool',
  inputs: [{ name: 'table', type: 'data', format: 'tablecsv' }],
  outputs: [{ name: 'copy', format: 'tablecsv' }],
  command: { argv: ['sh', '-c', script, 'sh', '{inputs.table}', '{outputs.copy}'] },
  requirements: { docker: { image: IMAGE } },
});

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

for (const kind of ENGINES) {
  describe.skipIf(skipWithout(kind, engineMissing(kind), import.meta.url))(`bioimageit run with the docker runner (CLI process) (${kind} engine)`, () => {
    let engine: TestEngine;
    let workspace: string;

    const startCli = (args: string[]): { child: ReturnType<typeof spawn>; done: Promise<CliResult> } => {
      const env = { ...process.env, BIOIMAGEIT_WORKSPACE: workspace, DOCKER_HOST: engine.host, BIOIMAGEIT_DOCKER_PULL: 'never' };
      const child = spawn(process.execPath, [...TSX_CLI, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
    };

    beforeAll(async () => {
      engine = await startTestEngine(kind);
      await engine.importBusybox(IMAGE);
      workspace = await mkdtemp(path.join(tmpdir(), 'biit-docker-cli-'));
      await mkdir(path.join(workspace, 'tools'));
      await mkdir(path.join(workspace, 'incoming'));
      const tools = [
        tool('test.docker-copy', 'cp "$1" "$2"'),
        tool('test.docker-sleepy', 'echo partial > "$2"; sleep 60'),
        tool('test.docker-slow', 'echo partial > "$2"; sleep 0.5; cp "$1" "$2"'),
      ];
      for (const t of tools) await writeFile(path.join(workspace, 'tools', `${String(t['id'])}.tool.json`), JSON.stringify(t));
      const config = { user: { name: 'tester' }, experiments: '.', plugins: ['@bioimageit/local-fs', '@bioimageit/docker-runner'], tools: { dirs: ['tools'] } };
      await writeFile(path.join(workspace, 'bioimageit.config.json'), JSON.stringify(config));
      for (const n of [1, 2, 3]) await writeFile(path.join(workspace, 'incoming', `t${n}.csv`), `a,b\n${n},${n}\n`);
      const kernel = await createKernel({ workspace, env: {} });
      const store = await kernel.createExperiment({ name: 'exp', author: 'tester' });
      await kernel.importData(store, path.join(workspace, 'incoming'), { author: 'tester' });
      await kernel.dispose();
    });

    afterAll(async () => {
      await engine?.stop();
      if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
    });

    it('runs a tool that declares an image in containers and records the runner', async () => {
      const { done } = startCli(['run', 'test.docker-copy', '-e', 'exp', '-o', 'copies', '--json']);
      const result = await done;
      expect(result.code, result.stderr).toBe(0);
      const { run } = JSON.parse(result.stdout) as { run: { runner: string; status: string; jobs: { environment?: Record<string, unknown> }[] } };
      expect(run).toMatchObject({ runner: 'docker', status: 'succeeded' });
      expect(run.jobs.map((j) => j.environment?.['image'])).toEqual([IMAGE, IMAGE, IMAGE]);
      expect(await engine.runnerContainers()).toEqual([]);
    });

    it('Ctrl-C kills and removes the running containers and exits with 130', async () => {
      const { child, done } = startCli(['run', 'test.docker-sleepy', '-e', 'exp', '-o', 'sleepy', '-j', '2']);
      let running = 0;
      for (let i = 0; i < 1500 && running < 2 && child.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 20));
        running = (await engine.runnerContainers()).filter((c) => c.State === 'running').length;
      }
      expect(running, 'two containers running before Ctrl-C').toBe(2);
      child.kill('SIGINT');
      const result = await done;
      expect(result.code, result.stderr).toBe(130);
      expect(await engine.runnerContainers()).toEqual([]);
    });

    it('resumes after kill -9: the orphaned container is swept, every job committed once', async () => {
      const args = ['run', 'test.docker-slow', '-e', 'exp', '-o', 'slow'];
      const { child, done } = startCli(args);
      const kernel = await createKernel({ workspace, env: {} });
      try {
        const store = await kernel.openExperiment('exp');
        const committed = async (): Promise<number> => (await store.items('slow').catch(() => [])).length;
        for (let i = 0; i < 1500 && child.exitCode === null; i++) {
          if ((await committed()) >= 1 && (await engine.runnerContainers()).some((c) => c.State === 'running')) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        child.kill('SIGKILL');
        await done;
        const before = await committed();
        expect(before).toBeGreaterThanOrEqual(1);
        expect(before).toBeLessThan(3);
        expect((await engine.runnerContainers()).length, 'kill -9 leaves its container').toBe(1);

        const resumed = await startCli([...args, '--resume', '--json']).done;
        expect(resumed.code, resumed.stderr).toBe(0);
        const { run, resumed: didResume } = JSON.parse(resumed.stdout) as { run: { status: string }; resumed: boolean };
        expect(didResume).toBe(true);
        expect(run.status).toBe('succeeded');
        const names = (await store.items('slow')).map((item) => item.name);
        expect(names).toHaveLength(3);
        expect(new Set(names).size).toBe(3);
        expect(await engine.runnerContainers()).toEqual([]);
      } finally {
        await kernel.dispose();
      }
    });
  });
}
