import { inject, injectable, optional } from 'inversify';
import { KernelConfig, settingsEnvironment, type RunnerContribution, type RunnerRegistrar } from '@bioimageit/core';
import { CondaRunnerConfig } from './conda-runner-config.js';
import { condaSettings } from './conda-settings.js';
import { CondaRunner } from './conda-runner.js';

/**
 * Registers the conda runner (id `conda`) with the workspace's settings: environments under
 * `<workspace>/.bioimageit/envs` unless `BIOIMAGEIT_CONDA_ENVS` says otherwise (see
 * `condaSettings`), and a bound {@link CondaRunnerConfig} over both.
 */
@injectable()
export class CondaRunnerContribution implements RunnerContribution {
  constructor(
    @inject(KernelConfig) private readonly config: KernelConfig,
    @inject(CondaRunnerConfig) @optional() private readonly overrides: CondaRunnerConfig | undefined,
  ) {}

  /** Called once by the kernel on activation; throws PluginError DUPLICATE_CONTRIBUTION when `conda` is taken. */
  registerRunners(registry: RunnerRegistrar): void {
    const { progress, ...settings } = this.overrides ?? {};
    registry.register(
      new CondaRunner({
        settings: { ...condaSettings(this.config.workspace, settingsEnvironment(this.config)), ...settings },
        ...(progress !== undefined && { progress }),
      }),
    );
  }
}
