import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError, validateRunnerOptions } from '@bioimageit/core';
import { resourceLimits } from './container-spec.js';
import { DockerEngineClient } from './docker-engine-client.js';
import { dockerRunOverrides } from './docker-run-options.js';
import { DockerRunner } from './docker-runner.js';
import { startFakeDockerDaemon, type FakeDockerDaemon } from './test-support/fake-docker-daemon.js';
import { jobScratch, testTool } from './test-support/test-jobs.js';

const IMAGE = 'tools/blur:1.2';
const IMAGE_ID = `sha256:${'ab'.repeat(32)}`;
const never = new AbortController().signal;

describe('docker runner options', () => {
  let dir: string;
  let daemon: FakeDockerDaemon;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'biit-docker-options-'));
    daemon = await startFakeDockerDaemon(dir, { apiVersion: '1.52', minApiVersion: '1.44', images: [{ reference: IMAGE, Id: IMAGE_ID }] });
  });
  afterEach(async () => {
    await daemon.close();
    await rm(dir, { recursive: true, force: true });
  });

  const runner = async (pullPolicy: 'missing' | 'never' = 'missing') =>
    new DockerRunner(await DockerEngineClient.connect(daemon.socketPath), { pullPolicy, onPullProgress: null });

  it('declares pull (default: the configured policy), memory, cpus and gpus', async () => {
    const options = (await runner('never')).runOptions;
    expect(Object.keys(options)).toEqual(['pull', 'memory', 'cpus', 'gpus']);
    expect(options['pull']).toMatchObject({ type: 'string', enum: ['missing', 'never'], default: 'never' });
    expect((await runner()).runOptions['pull']?.default).toBe('missing');
  });

  it("puts a run's memory, CPU and GPU values in the container's create body instead of the tool's", async () => {
    const docker = await runner();
    const scratch = await jobScratch('biit-docker-options-jobs-');
    try {
      const runnerOptions = validateRunnerOptions(docker, { memory: '128M', cpus: '1.5', gpus: '1' });
      const job = await scratch.job(['blur'], { tool: testTool(IMAGE, { memoryMb: 64, cpus: 4 }), runnerOptions });
      const result = await docker.run(job, never);
      expect(result.exitCode).toBe(0);
      expect(daemon.created[0]?.['HostConfig']).toMatchObject({
        Memory: 128 * 1024 * 1024,
        MemorySwap: 128 * 1024 * 1024,
        NanoCpus: 1.5e9,
        DeviceRequests: [{ Driver: '', Count: 1, Capabilities: [['gpu']] }],
      });
      expect(result.environment).toMatchObject({ memoryBytes: 128 * 1024 * 1024, cpus: 1.5 });
      const plain = await scratch.job(['blur'], { tool: testTool(IMAGE, { memoryMb: 64, cpus: 4 }) });
      await docker.run(plain, never);
      expect(daemon.created[1]?.['HostConfig']).toMatchObject({ Memory: 64 * 1024 * 1024, NanoCpus: 4e9 });
      expect(daemon.created[1]?.['HostConfig']).not.toHaveProperty('DeviceRequests');
    } finally {
      await scratch.cleanup();
    }
  });

  it("follows a run's pull policy: 'never' fails on an absent image without pulling, in its jobs and its environment key", async () => {
    const docker = await runner('missing');
    const scratch = await jobScratch('biit-docker-options-pull-');
    try {
      const tool = testTool('tools/absent:1');
      const job = await scratch.job(['blur'], { tool, runnerOptions: { pull: 'never' } });
      await expect(docker.run(job, never)).rejects.toThrow(/'tools\/absent:1' is not on the Docker daemon .* and pulling is disabled/);
      await expect(docker.environmentKey(tool, never, { pull: 'never' })).rejects.toThrow(/pulling is disabled/);
      expect(daemon.requests.some((r) => r.includes('/images/create'))).toBe(false);
      expect(daemon.created).toEqual([]);
    } finally {
      await scratch.cleanup();
    }
  });

  it('refuses values it cannot take, at the engine and again in the runner', async () => {
    const docker = await runner();
    expect(() => validateRunnerOptions(docker, { pull: 'always' })).toThrow("option 'pull' must be one of missing, never");
    expect(() => validateRunnerOptions(docker, { memory: '4 GB' })).toThrow("option 'memory' must match");
    expect(() => validateRunnerOptions(docker, { network: 'host' })).toThrow("runner 'docker' has no option 'network' (it accepts: pull, memory, cpus, gpus)");
    expect(() => dockerRunOverrides('j1', { memory: '1K' })).toThrow(RunnerError);
    expect(() => dockerRunOverrides('j1', { gpus: -1 })).toThrow("docker option 'gpus' must be a whole number");
    expect(() => dockerRunOverrides('j1', { privileged: true })).toThrow("docker option 'privileged' is not an option of the docker runner");
  });

  it('gpus 0 takes away the GPUs a tool asks for', () => {
    expect(resourceLimits(testTool(IMAGE, { gpus: 2 }), { gpus: 0 })).toEqual({});
    expect(resourceLimits(testTool(IMAGE, { gpus: 2 }))).toMatchObject({ DeviceRequests: [{ Count: 2 }] });
  });
});
