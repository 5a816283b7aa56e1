import { inject, injectable } from 'inversify';
import type { RunnerContribution, RunnerRegistrar } from '@bioimageit/core';
import { SlurmRunner } from './slurm-runner.js';

/** Contributes the plugin's one {@link SlurmRunner} (id `slurm`) to the kernel's runner registry. */
@injectable()
export class SlurmRunnerContribution implements RunnerContribution {
  constructor(@inject(SlurmRunner) private readonly runner: SlurmRunner) {}

  registerRunners(registry: RunnerRegistrar): void {
    registry.register(this.runner);
  }
}
