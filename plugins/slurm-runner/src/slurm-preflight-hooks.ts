import { fileURLToPath } from 'node:url';
import { inject, injectable } from 'inversify';
import type { HookContribution, PluginHooks, RunEvent } from '@bioimageit/core';
import { SlurmRunner } from './slurm-runner.js';

/** Tap name of this plugin's hooks. */
export const SLURM_PLUGIN_ID = 'slurm-runner';

/**
 * Taps `beforeRun`: a run about to execute on the `slurm` runner over an experiment on this file
 * system first checks, with a probe job, that the experiment's folder (the whole workspace when
 * it is inside it) is visible to the cluster's jobs. A failed check vetoes the run before anything
 * is written, with the probe's RunnerError (UNAVAILABLE, naming the folder). Runs on other runners,
 * or with `checkWorkspace` off, are not touched.
 */
@injectable()
export class SlurmPreflightHooks implements HookContribution {
  constructor(@inject(SlurmRunner) private readonly runner: SlurmRunner) {}

  apply(hooks: PluginHooks): void {
    hooks.beforeRun.tapPromise(SLURM_PLUGIN_ID, (run) => this.check(run));
  }

  /** The check itself (also callable without the hook). */
  async check(run: RunEvent): Promise<void> {
    if (run.runner !== this.runner.id || !this.runner.settings.checkWorkspace || !run.experimentUri.startsWith('file:')) return;
    await this.runner.probe.ensureVisible(fileURLToPath(run.experimentUri));
  }
}
