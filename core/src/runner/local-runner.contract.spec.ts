import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeRunnerContract } from '../testing/runner-contract.js';
import { LocalRunner } from './local-runner.js';

for (const spawn of ['helper', 'in-process'] as const) {
  describeRunnerContract(`local (${spawn} spawn)`, async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'bioimageit-local-runner-'));
    return { runner: new LocalRunner({ spawn }), scratch, cleanup: () => rm(scratch, { recursive: true, force: true }) };
  });
}
