import { inject, injectable } from 'inversify';
import type { RunnerContribution, RunnerRegistrar, ToolSourceContribution, ToolSourceRegistrar } from '@bioimageit/core';
import { GpuDeconToolSource } from './gpu-decon-tool-source.js';
import { NativeRunner } from './native-runner.js';

/** Contributes the `native` runner (one per kernel, bound in the plugin's container). */
@injectable()
export class GpuDeconRunnerContribution implements RunnerContribution {
  constructor(@inject(NativeRunner) private readonly runner: NativeRunner) {}

  registerRunners(registry: RunnerRegistrar): void {
    registry.register(this.runner);
  }
}

/** Contributes the tool source `gpu-decon` (deskew, deconvolve, llsm). */
@injectable()
export class GpuDeconToolSourceContribution implements ToolSourceContribution {
  constructor(@inject(GpuDeconToolSource) private readonly source: GpuDeconToolSource) {}

  registerToolSources(registry: ToolSourceRegistrar): void {
    registry.register(this.source);
  }
}
