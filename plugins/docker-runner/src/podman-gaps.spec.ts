import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '@bioimageit/core/testing';
import { DockerRunner } from './docker-runner.js';
import { busyboxRootfsTar } from './test-support/busybox-rootfs.js';
import { jobScratch, testTool } from './test-support/test-jobs.js';
import { engineMissing, startTestEngine, type TestEngine } from './test-support/test-engine.js';
import { startTestRegistry } from './test-support/test-registry.js';

const IMAGE = 'bioimageit-test/busybox:gaps';
const never = new AbortController().signal;

/**
 * What Podman's Docker-compatible service (4.3, Debian 12) does differently from Docker for the
 * calls the docker runner makes. Each test pins the Podman behaviour exactly, so it fails the day
 * Podman behaves as Docker does: then move the case back into the shared suites and the README.
 */
describe.skipIf(skipWithout('podman', engineMissing('podman'), import.meta.url))('what Podman lacks compared with Docker (pinned)', () => {
  let engine: TestEngine;
  let scratch: Awaited<ReturnType<typeof jobScratch>>;

  beforeAll(async () => {
    engine = await startTestEngine('podman');
    await engine.importBusybox(IMAGE);
    scratch = await jobScratch('biit-podman-gaps-');
  });
  afterAll(async () => {
    await scratch?.cleanup();
    await engine?.stop();
  });

  const create = async (body: Record<string, unknown>): Promise<string> =>
    (await engine.client.json<{ Id: string }>('POST', '/containers/create', { body: { Image: IMAGE, HostConfig: { NetworkMode: 'none' }, ...body } })).Id;
  const waitExit = async (id: string): Promise<number> => {
    const stream = await engine.client.stream('POST', `/containers/${id}/wait`, { query: { condition: 'not-running' } });
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    return (JSON.parse(text) as { StatusCode: number }).StatusCode;
  };

  it('does not set State.OOMKilled: a tool killed at its memory limit ends as a plain exit 137, not as an out-of-memory failure', async () => {
    const limit = 32 * 1024 * 1024;
    const id = await create({ Entrypoint: ['sh', '-c', 'tail /dev/zero'], HostConfig: { NetworkMode: 'none', Memory: limit, MemorySwap: limit } });
    await engine.client.json('POST', `/containers/${id}/start`);
    expect(await waitExit(id)).toBe(137);
    const inspect = await engine.client.json<{ State: { OOMKilled: boolean; ExitCode: number } }>('GET', `/containers/${id}/json`);
    expect(inspect.State).toMatchObject({ OOMKilled: false, ExitCode: 137 }); // Docker: OOMKilled true
    await engine.client.json('DELETE', `/containers/${id}`, { query: { force: true } });
    // Through the runner: the job resolves with 137 (Docker: RunnerError NON_ZERO_EXIT "ran out of memory").
    const job = await scratch.job(['sh', '-c', 'tail /dev/zero'], { tool: testTool(IMAGE, { memoryMb: 32 }) });
    const result = await new DockerRunner(engine.client, { pullPolicy: 'never', onPullProgress: null }).run(job, never);
    expect(result.exitCode).toBe(137);
  });

  it('creates a missing bind-mount source on the host (an empty directory) instead of refusing the container', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'biit-podman-bind-'));
    try {
      const missing = path.join(dir, 'gone', 'input.tif');
      const id = await create({
        Entrypoint: ['true'],
        HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'bind', Source: missing, Target: missing, ReadOnly: true }] },
      });
      await engine.client.json('POST', `/containers/${id}/start`); // Docker: 400 "bind source path does not exist"
      expect(await waitExit(id)).toBe(0);
      expect((await stat(missing)).isDirectory()).toBe(true);
      await engine.client.json('DELETE', `/containers/${id}`, { query: { force: true } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers GET /events with no events when `until` is already past', async () => {
    const since = new Date(Date.now() - 1000);
    await create({ Entrypoint: ['true'], Labels: { 'org.bioimageit.test': 'events' } });
    const filters = JSON.stringify({ type: ['container'], event: ['create'], label: ['org.bioimageit.test=events'] });
    const count = async (until: Date): Promise<number> => {
      const query = { since: (since.getTime() / 1000).toFixed(3), until: (until.getTime() / 1000).toFixed(3), filters };
      let text = '';
      for await (const chunk of await engine.client.stream('GET', '/events', { query })) text += String(chunk);
      return text.split('\n').filter((line) => line.trim() !== '').length;
    };
    const until = new Date(Date.now() + 1500);
    expect(await count(until)).toBe(1); // an `until` still ahead: the engine streams until then
    expect(await count(until)).toBe(0); // the same window once it is past (Docker: 1)
  });

  it('lists a registry digest (of the manifest it made) for an image imported from a tar', async () => {
    const inspect = await engine.client.json<{ RepoDigests: string[] }>('GET', `/images/${encodeURIComponent(IMAGE)}/json`);
    expect(inspect.RepoDigests).toEqual([expect.stringMatching(/^docker\.io\/bioimageit-test\/busybox@sha256:[0-9a-f]{64}$/)]); // Docker: []
  });

  it("ignores an import's tag parameter (the image is tagged latest); a tag inside repo works", async () => {
    const tar = await busyboxRootfsTar(scratch.dir);
    try {
      const query = { fromSrc: '-', repo: 'bioimageit-test/tagged', tag: 'v1' };
      const stream = await engine.client.stream('POST', '/images/create', {
        query,
        body: await readFile(tar),
        headers: { 'Content-Type': 'application/x-tar' },
      });
      for await (const chunk of stream) void chunk;
    } finally {
      await rm(tar, { force: true });
    }
    const tags = async (ref: string): Promise<string[] | undefined> =>
      (await engine.client.json<{ RepoTags: string[] }>('GET', `/images/${encodeURIComponent(ref)}/json`).catch(() => undefined))?.RepoTags;
    expect(await tags('bioimageit-test/tagged:v1')).toBeUndefined(); // Docker: tagged v1
    expect(await tags('bioimageit-test/tagged:latest')).toEqual(['docker.io/bioimageit-test/tagged:latest']);
  });

  it("reports the image configuration as a pulled layer, without byte counts (so the runner's bar counts 2 layers for a 1-layer image)", async () => {
    const tar = await busyboxRootfsTar(scratch.dir);
    const registry = await startTestRegistry('tools/busybox', '1.0', tar);
    try {
      const stream = await engine.client.stream('POST', '/images/create', { query: { fromImage: `${registry.host}/tools/busybox`, tag: '1.0' } });
      let text = '';
      for await (const chunk of stream) text += String(chunk);
      const events = text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { id?: string; status?: string; progressDetail?: { current?: number } });
      const short = (digest: string): string => digest.slice('sha256:'.length, 'sha256:'.length + 12);
      expect(new Set(events.map((e) => e.id))).toEqual(new Set([short(registry.layerDigest), short(registry.configDigest)])); // Docker: the layer only
      expect(events.some((e) => e.progressDetail?.current !== undefined)).toBe(false); // Docker: Downloading/Extracting with current/total
    } finally {
      await registry.close();
      await rm(tar, { force: true });
    }
  });
});
