import type { RunnerContribution, RunnerRegistrar } from '../extension-points/runner.js';
import { LocalRunner, type LocalRunnerOptions } from './local-runner.js';

/**
 * Contributes the built-in {@link LocalRunner} (id `local`). Core registers it itself at
 * bootstrap; it is a plain class so that tests and embedders can do the same.
 */
export class LocalRunnerContribution implements RunnerContribution {
  constructor(private readonly options: LocalRunnerOptions = {}) {}

  /** Registers one LocalRunner built with this contribution's options. */
  registerRunners(registry: RunnerRegistrar): void {
    registry.register(new LocalRunner(this.options));
  }
}
