import { ContainerModule } from 'inversify';
import { HookContribution, KernelConfig, RunnerContribution, settingsEnvironment } from '@bioimageit/core';
import { SlurmPreflightHooks } from './slurm-preflight-hooks.js';
import { SlurmRunner } from './slurm-runner.js';
import { SlurmRunnerContribution } from './slurm-runner-contribution.js';
import { resolveSlurmSettings } from './slurm-settings.js';

/**
 * The slurm-runner plugin's bindings: one SlurmRunner per kernel (settings from the
 * BIOIMAGEIT_SLURM_* variables, else the workspace config's `settings`; the workspace from the kernel's configuration), its runner
 * contribution, and the beforeRun workspace check.
 */
export default new ContainerModule(({ bind }) => {
  bind(SlurmRunner)
    .toDynamicValue((context) => {
      const config = context.get<KernelConfig>(KernelConfig, { optional: true });
      return new SlurmRunner({ settings: resolveSlurmSettings({}, settingsEnvironment(config)), ...(config !== undefined && { workspace: config.workspace }) });
    })
    .inSingletonScope();
  bind(RunnerContribution).to(SlurmRunnerContribution).inSingletonScope();
  bind(HookContribution).to(SlurmPreflightHooks).inSingletonScope();
});
