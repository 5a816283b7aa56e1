import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeRunnerContract } from '@bioimageit/core/testing';
import { DockerRunner } from './docker-runner.js';
import { skipWithoutDockerd, startTestDockerd, type TestDockerd } from './test-support/test-dockerd.js';

const IMAGE = 'bioimageit-test/busybox:contract';

describe.skipIf(skipWithoutDockerd())('docker runner on a private dockerd', () => {
  let dockerd: TestDockerd;
  let runner: DockerRunner;

  beforeAll(async () => {
    dockerd = await startTestDockerd();
    await dockerd.importBusybox(IMAGE);
    runner = new DockerRunner(dockerd.client, { defaultImage: IMAGE, pullPolicy: 'never', onPullProgress: null });
  });

  afterAll(async () => {
    await dockerd?.stop();
  });

  describeRunnerContract('docker', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'biit-docker-contract-'));
    return { runner, scratch, cleanup: () => rm(scratch, { recursive: true, force: true }) };
  });
});
