import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Runner } from '@bioimageit/core';
import { describeRunnerContract, skipWithout } from '@bioimageit/core/testing';
import { CondaRunner } from './conda-runner.js';
import { DEFAULT_CHANNEL_ALIAS } from './conda-settings.js';
import { cphMissing, stampTool, testChannel, type ChannelFixture } from './test-support/test-packages.js';

describe.skipIf(skipWithout('cph', await cphMissing(), import.meta.url))('conda runner in a real environment of the test channel', () => {
  let fixture: ChannelFixture;
  let envs: string;

  beforeAll(async () => {
    fixture = await testChannel();
    envs = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-contract-envs-'));
  });
  afterAll(async () => {
    await fixture?.cleanup();
    if (envs !== undefined) await rm(envs, { recursive: true, force: true });
  });

  // Every contract job runs inside a real environment (biit-stamp and biit-lib from the test
  // channel, made by the embedded path once and shared by all tests): the runner's own activation
  // must keep argv literal, the environment clean and the process handling of the local runner.
  describeRunnerContract('conda (embedded environment)', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-contract-'));
    const conda = new CondaRunner({
      settings: { command: 'embedded', envsDir: envs, defaultChannels: [], channelAlias: DEFAULT_CHANNEL_ALIAS, namedEnvDirs: [] },
      progress: () => undefined,
      killGraceMs: 500,
    });
    const tool = stampTool(scratch, fixture.channel.url);
    const runner: Runner = { id: conda.id, run: (job, signal) => conda.run({ ...job, tool }, signal) };
    return { runner, scratch, cleanup: () => rm(scratch, { recursive: true, force: true }) };
  });
});
