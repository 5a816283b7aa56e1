import { inject, injectable } from 'inversify';
import type { RunnerContribution, RunnerRegistrar } from '@bioimageit/core';
import { DockerRunner } from './docker-runner.js';

/** Contributes the plugin's {@link DockerRunner} (id `docker`) to the kernel's runner registry. */
@injectable()
export class DockerRunnerContribution implements RunnerContribution {
  constructor(@inject(DockerRunner) private readonly runner: DockerRunner) {}

  /** Registers the one DockerRunner of this plugin. */
  registerRunners(registry: RunnerRegistrar): void {
    registry.register(this.runner);
  }
}
