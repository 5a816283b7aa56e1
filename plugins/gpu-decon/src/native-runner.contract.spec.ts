import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRunnerContract } from '@bioimageit/core/testing';
import { describe } from 'vitest';
import { NativeRunner } from './native-runner.js';
import { addonOrSkip } from './test-support/addon-or-skip.js';

const addon = addonOrSkip(import.meta.url);

// Host executables given to the native runner run as local processes: the whole contract applies.
if (addon !== undefined) {
  describeRunnerContract('native', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'gpu-decon-contract-'));
    return { runner: new NativeRunner(addon, { threads: 1 }), scratch, cleanup: () => rm(scratch, { recursive: true, force: true }) };
  });
} else {
  describe.skip('Runner contract: native (addon not built)', () => undefined);
}
