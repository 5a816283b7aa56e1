import { describe, expect, it } from 'vitest';
import { validateRunnerOptions } from '@bioimageit/core';
import { CondaRunner } from './conda-runner.js';
import { condaSettings } from './conda-settings.js';

describe('conda runner options', () => {
  it('declares none: a run that sets one is refused before anything runs', () => {
    const runner = new CondaRunner({ settings: condaSettings('/tmp/ws', {}), progress: () => undefined });
    expect(runner.runOptions).toEqual({});
    expect(validateRunnerOptions(runner, {})).toEqual({});
    expect(() => validateRunnerOptions(runner, { env: 'cellpose' })).toThrow("runner 'conda' has no option 'env' (it accepts none)");
  });
});
