import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeRunnerContract, skipWithout } from '@bioimageit/core/testing';
import { DockerRunner } from './docker-runner.js';
import { ENGINES, engineMissing, startTestEngine, type TestEngine } from './test-support/test-engine.js';

const IMAGE = 'bioimageit-test/busybox:contract';

for (const kind of ENGINES) {
  describe.skipIf(skipWithout(kind, engineMissing(kind), import.meta.url))(`docker runner on a private ${kind} engine`, () => {
    let engine: TestEngine;
    let runner: DockerRunner;

    beforeAll(async () => {
      engine = await startTestEngine(kind);
      await engine.importBusybox(IMAGE);
      runner = new DockerRunner(engine.client, { defaultImage: IMAGE, pullPolicy: 'never', onPullProgress: null });
    });

    afterAll(async () => {
      await engine?.stop();
    });

    describeRunnerContract('docker', async () => {
      const scratch = await mkdtemp(path.join(tmpdir(), 'biit-docker-contract-'));
      return { runner, scratch, cleanup: () => rm(scratch, { recursive: true, force: true }) };
    });
  });
}
