import { ContainerModule } from 'inversify';
import { RunnerContribution } from '@bioimageit/core';
import { CondaRunnerContribution } from './conda-runner-contribution.js';

/** The conda-runner plugin's bindings: its runner contribution. */
export default new ContainerModule(({ bind }) => {
  bind(RunnerContribution).to(CondaRunnerContribution).inSingletonScope();
});
