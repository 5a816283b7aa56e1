import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsEnvironment } from '@bioimageit/core';
import { CONDA_SETTING_VARIABLES, condaSettings } from './conda-settings.js';

describe('conda settings', () => {
  it('package.json declares exactly the variables the runner reads (bioimageit.settings)', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { bioimageit: { settings: string[] } };
    expect([...pkg.bioimageit.settings].sort()).toEqual([...CONDA_SETTING_VARIABLES].sort());
  });

  it("takes a workspace config's settings where the environment sets none", () => {
    const config = { settings: { BIOIMAGEIT_CONDA_CHANNELS: 'conda-forge,bioconda', BIOIMAGEIT_CONDA_ENVS: 'cache/envs' } };
    const settings = condaSettings('/w', settingsEnvironment(config, { BIOIMAGEIT_CONDA_ENVS: '/fast/envs' }));
    expect(settings.defaultChannels).toEqual(['conda-forge', 'bioconda']);
    expect(settings.envsDir).toBe(path.resolve('/fast/envs'));
  });
});
