import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { sweepOrphanContainers } from './container-sweeper.js';
import { DockerEngineClient } from './docker-engine-client.js';
import { DockerRunner } from './docker-runner.js';
import { ImageProvisioner } from './image-provisioner.js';
import { startFakeDockerDaemon, type FakeDockerDaemon } from './test-support/fake-docker-daemon.js';
import { jobScratch, testTool } from './test-support/test-jobs.js';

const IMAGE = 'tools/blur:1.2';
const IMAGE_ID = `sha256:${'ab'.repeat(32)}`;
const never = new AbortController().signal;

/** The runner against fake daemons that speak only some Engine API versions, as Docker 29 (1.44–1.52) or an old Docker does. */
describe('Engine API version negotiation against fake daemons', () => {
  let dir: string;
  let daemon: FakeDockerDaemon | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'biit-docker-api-'));
  });
  afterEach(async () => {
    await daemon?.close();
    daemon = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const docker29 = async (): Promise<FakeDockerDaemon> =>
    (daemon = await startFakeDockerDaemon(dir, {
      apiVersion: '1.52',
      minApiVersion: '1.44',
      images: [{ reference: IMAGE, Id: IMAGE_ID, RepoDigests: [`tools/blur@sha256:${'cd'.repeat(32)}`] }],
      run: (create) => {
        const argv = [...(create['Entrypoint'] as string[]), ...(create['Cmd'] as string[])];
        return {
          output: [
            [1, `ran ${argv.join(' ')}\n`],
            [2, 'warning: fake\n'],
          ],
          statusCode: argv.includes('fail') ? 3 : 0,
        };
      },
    }));

  it('a Docker 29 daemon refuses API 1.41 the way Docker does (what the runner used to ask for)', async () => {
    const fake = await docker29();
    const answer = await axios.get('http://docker/v1.41/version', { socketPath: fake.socketPath, proxy: false, validateStatus: () => true });
    expect(answer.status).toBe(400);
    expect(answer.data).toEqual({
      message: 'client version 1.41 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version',
    });
    const tooNew = await axios.get('http://docker/v1.53/version', { socketPath: fake.socketPath, proxy: false, validateStatus: () => true });
    expect(tooNew.data).toEqual({ message: 'client version 1.53 is too new. Maximum supported API version is 1.52' });
  });

  it('speaks API 1.52 to a Docker 29 daemon for its ordinary calls', async () => {
    const fake = await docker29();
    const client = await DockerEngineClient.connect(fake.socketPath);
    expect(client.daemon).toEqual({
      version: '29.0.0',
      apiVersion: '1.52',
      apiVersions: { min: '1.44', max: '1.52' },
      engine: 'Docker Engine',
      os: 'linux',
      arch: 'amd64',
    });
    expect(await client.json<{ ApiVersion: string }>('GET', '/version')).toMatchObject({ ApiVersion: '1.52' });
    const images = new ImageProvisioner(client, { pullPolicy: 'never' });
    expect(await images.ensure(IMAGE)).toMatchObject({ id: IMAGE_ID, pulled: false });
    await expect(images.ensure('tools/absent:1')).rejects.toThrow(/'tools\/absent:1' is not on the Docker daemon/);
    expect(await sweepOrphanContainers(client)).toEqual([]);
    expect(fake.requests).toEqual([
      'GET /version',
      'GET /v1.52/version',
      'GET /v1.52/images/tools%2Fblur%3A1.2/json',
      'GET /v1.52/images/tools%2Fabsent%3A1/json',
      'GET /v1.52/containers/json',
    ]);
  });

  it('runs a whole container job at API 1.52: create, attach, wait, start, exit code, output, removal, provenance', async () => {
    const fake = await docker29();
    const runner = new DockerRunner(await DockerEngineClient.connect(fake.socketPath), { pullPolicy: 'never', onPullProgress: null });
    const scratch = await jobScratch('biit-docker-api-jobs-');
    try {
      const job = await scratch.job(['blur', '--sigma', '2', 'fail'], { tool: testTool(IMAGE, { memoryMb: 64 }), runId: 'run-1' });
      const result = await runner.run(job, never);
      expect(result.exitCode).toBe(3);
      expect(await readFile(job.stdoutPath, 'utf8')).toBe('ran blur --sigma 2 fail\n');
      expect(await readFile(job.stderrPath, 'utf8')).toBe('warning: fake\n');
      expect(result.environment).toMatchObject({
        runner: 'docker',
        image: IMAGE,
        imageId: IMAGE_ID,
        dockerEngine: 'Docker Engine',
        dockerVersion: '29.0.0',
        dockerApiVersion: '1.52',
        memoryBytes: 64 * 1024 * 1024,
      });
      expect(fake.containers()).toEqual([]);
      const versioned = fake.requests.filter((r) => r !== 'GET /version');
      expect(
        versioned.every((r) => /^[A-Z]+ \/v1\.52\//.test(r)),
        versioned.join('\n'),
      ).toBe(true);
      const calls = versioned.map((r) => r.replace(/\/v1\.52/, '').replace(/[0-9a-f]{64}/, 'ID'));
      expect(calls.slice(0, 2)).toEqual(['GET /images/tools%2Fblur%3A1.2/json', 'POST /containers/create']);
      expect(calls.slice(2, 4).sort()).toEqual(['POST /containers/ID/attach', 'POST /containers/ID/wait']);
      expect(calls.slice(4)).toEqual(['POST /containers/ID/start', 'GET /containers/ID/json', 'DELETE /containers/ID']);
      expect(fake.created[0]).toMatchObject({
        Image: IMAGE_ID,
        Entrypoint: ['blur'],
        Cmd: ['--sigma', '2', 'fail'],
        HostConfig: { NetworkMode: 'none', Memory: 64 * 1024 * 1024, Mounts: [{ Type: 'bind', Source: job.cwd, Target: job.cwd, ReadOnly: false }] },
      });
    } finally {
      await scratch.cleanup();
    }
  });

  it('refuses a daemon that speaks only older versions (1.12–1.24), naming both ranges, before any versioned call', async () => {
    daemon = await startFakeDockerDaemon(dir, { apiVersion: '1.24', minApiVersion: '1.12', version: '1.12.6' });
    const error = await DockerEngineClient.connect(daemon.socketPath).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as RunnerError).code).toBe('UNAVAILABLE');
    expect((error as RunnerError).message).toBe(
      `Docker Engine 1.12.6 at unix://${daemon.socketPath} speaks Engine API 1.12–1.24 and the docker runner speaks 1.40–1.52: no version in common; upgrade the engine (Docker 19.03 or newer speaks API 1.40)`,
    );
    expect((error as RunnerError).details).toMatchObject({ daemonApiVersions: { min: '1.12', max: '1.24' }, clientApiVersions: { min: '1.40', max: '1.52' } });
    expect(daemon.requests).toEqual(['GET /version']);
  });

  it('refuses a daemon that no longer accepts any version this client knows (1.60 and up), naming both ranges', async () => {
    daemon = await startFakeDockerDaemon(dir, { apiVersion: '1.70', minApiVersion: '1.60', version: '40.0.0' });
    const error = await DockerEngineClient.connect(daemon.socketPath).catch((e: unknown) => e);
    expect((error as RunnerError).message).toBe(
      `Docker Engine 40.0.0 at unix://${daemon.socketPath} speaks Engine API 1.60–1.70 and the docker runner speaks 1.40–1.52: no version in common; upgrade @bioimageit/docker-runner, or use an engine that still accepts API 1.52`,
    );
    expect(daemon.requests).toEqual(['GET /version']);
  });
});
