import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, PluginError, type ExperimentStore, type Kernel } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { ENGINES, engineMissing, startTestEngine, type TestEngine } from '../src/test-support/test-engine.js';

const IMAGE = 'bioimageit-test/busybox:kernel';
const ITEMS = ['population1_001', 'population1_002', 'population2_001'];

/** Writes one table per item, tagged through its name. */
async function writeTables(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of ITEMS) await writeFile(path.join(dir, `${name}.csv`), `x,y\n1,${name}\n`);
}

/** A docker tool: `name,sha256` of its input table, computed inside the container. */
const digestTool = {
  id: 'test.docker-digest',
  name: 'digest in docker',
  version: '1.0.0',
  description: 'sha256 of a table, computed in a busybox container',
  inputs: [{ name: 'table', type: 'data', format: 'tablecsv' }],
  outputs: [{ name: 'digest', format: 'tablecsv', label: 'Digest' }],
  command: {
    argv: ['sh', '-c', 'printf "name,sha256\\n%s,%s\\n" "${1##*/}" "$(sha256sum < "$1" | cut -d" " -f1)" > "$2"', 'sh', '{inputs.table}', '{outputs.digest}'],
  },
  requirements: { docker: { image: IMAGE } },
  resources: { memoryMb: 64 },
};

const failingTool = { ...digestTool, id: 'test.docker-fail', command: { argv: ['sh', '-c', 'echo "cannot read $1" >&2; exit 3', 'sh', '{inputs.table}'] } };
const greedyTool = {
  ...digestTool,
  id: 'test.docker-greedy',
  command: { argv: ['sh', '-c', 'tail /dev/zero', 'sh', '{inputs.table}'] },
  resources: { memoryMb: 32 },
};
const sleepyTool = { ...digestTool, id: 'test.docker-sleepy', command: { argv: ['sh', '-c', 'sleep 60', 'sh', '{inputs.table}'] } };

/** A BioImageIT v1 wrapper (Galaxy-style XML) whose requirement is a docker container. */
const V1_WRAPPER = `<tool id="biitdockercopy" name="biitdockercopy" version="1.0.0">
    <description>Copy the input in a container</description>
    <requirements>
        <container type="docker">${IMAGE}</container>
    </requirements>
    <command detect_errors="exit_code"><![CDATA[
        cp \${i} \${o}
    ]]></command>
    <inputs>
        <param type="data" name="i" format="tablecsv" label="Input table" />
    </inputs>
    <outputs>
        <data name="o" format="tablecsv" label="Copied table" />
    </outputs>
</tool>
`;

for (const kind of ENGINES) {
  describe.skipIf(skipWithout(kind, engineMissing(kind), import.meta.url))(`docker-runner plugin in a kernel, over an experiment (${kind} engine)`, () => {
    let engine: TestEngine;
    let workspace: string;
    let kernel: Kernel;
    let store: ExperimentStore;
    const saved: Record<string, string | undefined> = {};
    const setEnv = (name: string, value: string): void => {
      if (!(name in saved)) saved[name] = process.env[name];
      process.env[name] = value;
    };
    const unsetEnv = (name: string): void => {
      if (!(name in saved)) saved[name] = process.env[name];
      delete process.env[name];
    };

    beforeAll(async () => {
      engine = await startTestEngine(kind);
      await engine.importBusybox(IMAGE);
      // The daemon and the pull policy come from the workspace config's `settings`, not the environment.
      unsetEnv('DOCKER_HOST');
      unsetEnv('BIOIMAGEIT_DOCKER_PULL');
      workspace = await mkdtemp(path.join(tmpdir(), 'biit-docker-kernel-'));
      await mkdir(path.join(workspace, 'tools'));
      for (const tool of [digestTool, failingTool, greedyTool, sleepyTool])
        await writeFile(path.join(workspace, 'tools', `${tool.id}.tool.json`), JSON.stringify(tool));
      await mkdir(path.join(workspace, 'tools', 'biitdockercopy'));
      await writeFile(path.join(workspace, 'tools', 'biitdockercopy', 'biitdockercopy.xml'), V1_WRAPPER);
      const config = {
        user: { name: 'tester' },
        experiments: '.',
        plugins: ['@bioimageit/local-fs', '@bioimageit/docker-runner'],
        tools: { dirs: ['tools'] },
        settings: { DOCKER_HOST: engine.host, BIOIMAGEIT_DOCKER_PULL: 'never' },
      };
      await writeFile(path.join(workspace, 'bioimageit.config.json'), JSON.stringify(config));
      kernel = await createKernel({ workspace, env: { DOCKER_HOST: engine.host } });
      store = await kernel.createExperiment({ name: 'exp', author: 'tester' });
      await writeTables(path.join(workspace, 'incoming'));
      await kernel.importData(store, path.join(workspace, 'incoming'), { author: 'tester' });
    });

    afterAll(async () => {
      await kernel?.dispose();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await engine?.stop();
      if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
    });

    it("runs a docker tool over the experiment's items, with the image in each job's provenance", async () => {
      const since = new Date();
      const { record } = await kernel.runTool(store, { tool: digestTool.id, inputs: [{ name: 'table' }], outputDataset: 'digests', jobs: 2 });
      expect(await engine.containersCreated(since)).toBe(ITEMS.length);
      expect(record.status).toBe('succeeded');
      expect(record.runner).toBe('docker');
      const imageId = (await engine.client.json<{ Id: string }>('GET', `/images/${IMAGE}/json`)).Id;
      expect(record.jobs).toHaveLength(ITEMS.length);
      for (const job of record.jobs)
        expect(job.environment).toMatchObject({ runner: 'docker', image: IMAGE, imageId, network: 'none', memoryBytes: 64 * 1024 * 1024 });
      const outputs = await store.items('digests');
      expect(outputs).toHaveLength(ITEMS.length);
      for (const item of outputs) {
        const file = await store.localize(item);
        const [, row] = (await readFile(file, 'utf8')).trim().split('\n');
        const [name, digest] = (row ?? '').split(',');
        const input = await readFile(path.join(workspace, 'incoming', name ?? ''));
        expect(digest).toBe(createHash('sha256').update(input).digest('hex'));
        expect((await stat(file)).uid).toBe(process.getuid?.());
      }
      expect(await engine.runnerContainers()).toEqual([]);
    });

    it('runs a v1 XML wrapper that declares a docker container in that container', async () => {
      const { record } = await kernel.runTool(store, { tool: 'biitdockercopy_v1.0.0', inputs: [{ name: 'i' }], outputDataset: 'v1copies' });
      expect(record.status).toBe('succeeded');
      expect(record.runner).toBe('docker');
      expect(record.jobs.map((j) => j.environment?.['image'])).toEqual(ITEMS.map(() => IMAGE));
      const copies = await store.items('v1copies');
      expect(copies.map((c) => c.sha256).sort()).toEqual((await store.items('data')).map((d) => d.sha256).sort());
    });

    it('serves an identical second run from the cache without starting containers', async () => {
      const since = new Date();
      const { record } = await kernel.runTool(store, { tool: digestTool.id, inputs: [{ name: 'table' }], outputDataset: 'digests' });
      expect(record.jobs.map((j) => j.status)).toEqual(ITEMS.map(() => 'cached'));
      expect(await engine.containersCreated(since)).toBe(0);
    });

    it('recomputes when the tag points to another image, and records the new image id', async () => {
      const before = (await engine.client.json<{ Id: string }>('GET', `/images/${IMAGE}/json`)).Id;
      await engine.importBusybox(IMAGE); // same tag, a new image (docker import stamps its creation time)
      const after = (await engine.client.json<{ Id: string }>('GET', `/images/${IMAGE}/json`)).Id;
      expect(after).not.toBe(before);
      const since = new Date();
      const { record } = await kernel.runTool(store, { tool: digestTool.id, inputs: [{ name: 'table' }], outputDataset: 'digests' });
      expect(record.jobs.map((j) => j.status)).toEqual(ITEMS.map(() => 'succeeded'));
      expect(record.jobs.map((j) => j.environment?.['imageId'])).toEqual(ITEMS.map(() => after));
      expect(await engine.containersCreated(since)).toBe(ITEMS.length);
      // The same image again: served from the run just made.
      const again = await kernel.runTool(store, { tool: digestTool.id, inputs: [{ name: 'table' }], outputDataset: 'digests' });
      expect(again.record.jobs.map((j) => j.status)).toEqual(ITEMS.map(() => 'cached'));
    });

    it("records a failing tool's exit code and an out-of-memory kill with its reason", async () => {
      const failed = await kernel.runTool(store, {
        tool: failingTool.id,
        inputs: [{ name: 'table', query: 'name~population1_001' }],
        outputDataset: 'failing',
      });
      expect(failed.record.status).toBe('failed');
      expect(failed.record.jobs[0]).toMatchObject({ status: 'failed', exitCode: 3, environment: { runner: 'docker' } });
      const greedy = await kernel.runTool(store, { tool: greedyTool.id, inputs: [{ name: 'table', query: 'name~population1_001' }], outputDataset: 'greedy' });
      expect(greedy.record.status).toBe('failed');
      const job = greedy.record.jobs[0];
      expect(job?.status).toBe('failed');
      expect(job?.exitCode).toBe(137);
      // Podman does not report OOMKilled, so its job fails on the exit code alone (src/podman-gaps.spec.ts).
      if (kind === 'docker') expect(job?.error).toContain('ran out of memory (limit 32 MB');
      expect(await store.items('greedy')).toEqual([]);
      expect(await engine.runnerContainers()).toEqual([]);
    });

    it('cancels a run: the running container is killed and removed, nothing is committed', async () => {
      const controller = new AbortController();
      const pending = kernel.runTool(store, { tool: sleepyTool.id, inputs: [{ name: 'table' }], outputDataset: 'sleepy', jobs: 2, signal: controller.signal });
      for (let i = 0; i < 500 && (await engine.runnerContainers()).filter((c) => c.State === 'running').length < 2; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect((await engine.runnerContainers()).map((c) => c.State)).toEqual(['running', 'running']);
      controller.abort();
      const { record } = await pending;
      expect(record.status).toBe('cancelled');
      expect(record.jobs.every((j) => j.status === 'cancelled')).toBe(true);
      expect(await store.items('sleepy')).toEqual([]);
      expect(await engine.runnerContainers()).toEqual([]);
    });

    it('reports the plugin unavailable, naming the fix, when there is no socket at all', async () => {
      const nowhere = path.join(workspace, 'no-such.sock');
      const other = await createKernel({ workspace, env: { DOCKER_HOST: `unix://${nowhere}` } });
      try {
        const otherStore = await other.openExperiment(store.uri);
        const error = await other
          .runTool(otherStore, { tool: digestTool.id, runner: 'docker', inputs: [{ name: 'table' }], outputDataset: 'never' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PluginError);
        expect((error as PluginError).code).toBe('MISSING_REQUIREMENT');
        expect((error as PluginError).message).toContain(`no Docker Engine socket at ${nowhere} (start dockerd or set DOCKER_HOST)`);
      } finally {
        await other.dispose();
      }
    });

    it('fails activation once, with the socket named, when the daemon is down', async () => {
      const dead = path.join(workspace, 'dead.sock');
      await writeFile(dead, ''); // a socket path that exists but where nothing listens
      setEnv('DOCKER_HOST', `unix://${dead}`); // the environment wins over the config's settings
      try {
        const other = await createKernel({ workspace, env: { DOCKER_HOST: `unix://${dead}` } });
        const otherStore = await other.openExperiment(store.uri);
        const attempts = await Promise.all(
          [0, 1].map(() =>
            other.runTool(otherStore, { tool: digestTool.id, runner: 'docker', inputs: [{ name: 'table' }], outputDataset: 'never' }).catch((e: unknown) => e),
          ),
        );
        for (const error of attempts) {
          expect(error).toBeInstanceOf(PluginError);
          expect((error as PluginError).code).toBe('ACTIVATION_FAILED');
          expect((error as PluginError).message).toContain(`Docker daemon at unix://${dead} does not answer`);
        }
        expect(other.plugins().find((p) => p.id === 'docker-runner')).toMatchObject({ state: 'failed' });
        await other.dispose();
      } finally {
        unsetEnv('DOCKER_HOST');
      }
    });
  });
}
