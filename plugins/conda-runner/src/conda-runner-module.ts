import { ContainerModule } from 'inversify';
import { RunnerContribution } from '@bioimageit/core';
import { CondaRunnerConfig } from './conda-runner-config.js';
import { CondaRunnerContribution } from './conda-runner-contribution.js';

/** The conda-runner module with `config` bound (settings over the environment variables, a progress display). */
export function condaRunnerModuleWith(config: CondaRunnerConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(CondaRunnerConfig).toConstantValue(config);
    bind(RunnerContribution).to(CondaRunnerContribution).inSingletonScope();
  });
}

/** The conda-runner plugin's bindings: its runner contribution (configured by `BIOIMAGEIT_CONDA_*`). */
export default new ContainerModule(({ bind }) => {
  bind(RunnerContribution).to(CondaRunnerContribution).inSingletonScope();
});
