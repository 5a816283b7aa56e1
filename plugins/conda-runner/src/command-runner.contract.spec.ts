import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createToolManifest, type Runner } from '@bioimageit/core';
import { describeRunnerContract } from '@bioimageit/core/testing';
import { CondaRunner } from './conda-runner.js';
import { DEFAULT_CHANNEL_ALIAS } from './conda-settings.js';
import { writeCondaCommandDouble } from './test-support/conda-command-double.js';

let root: string;
let command: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-command-contract-'));
  command = await writeCondaCommandDouble(path.join(root, 'bin'), 'micromamba', '1.5.8');
});
afterAll(() => rm(root, { recursive: true, force: true }));

// The command path (`micromamba run -p PREFIX argv...`) against the same contract as every runner,
// with the TEST DOUBLE of micromamba (see conda-command-double.ts) standing in for the real one:
// the double's `run` execs the tool, so argv, environment, logs, timeouts and cancellation are
// what the runner hands over.
describeRunnerContract('conda (command path, micromamba test double)', async () => {
  const scratch = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-command-contract-job-'));
  const conda = new CondaRunner({
    settings: { command, envsDir: path.join(root, 'envs'), defaultChannels: [], channelAlias: DEFAULT_CHANNEL_ALIAS, namedEnvDirs: [] },
    progress: () => undefined,
    killGraceMs: 500,
  });
  const tool = createToolManifest(
    {
      id: 'test.contract',
      name: 'c',
      version: '1.0.0',
      description: 'd',
      inputs: [],
      outputs: [],
      command: { argv: ['sh'] },
      requirements: { conda: { packages: ['biit-x'], channels: ['https://conda.example/c'] } },
    },
    path.join(scratch, 'c.tool.json'),
  );
  const runner: Runner = { id: conda.id, run: (job, signal) => conda.run({ ...job, tool }, signal) };
  return { runner, scratch, cleanup: () => rm(scratch, { recursive: true, force: true }) };
});
