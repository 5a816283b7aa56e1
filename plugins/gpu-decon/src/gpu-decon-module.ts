import { ContainerModule } from 'inversify';
import { KernelConfig, RunnerContribution, settingsEnvironment, ToolSourceContribution } from '@bioimageit/core';
import { GpuDeconRunnerContribution, GpuDeconToolSourceContribution } from './gpu-decon-contributions.js';
import { GpuDeconToolSource } from './gpu-decon-tool-source.js';
import { loadNativeAddon } from './native-addon.js';
import { NativeRunner } from './native-runner.js';
import { defaultWisdomDir } from './run-native.js';

/**
 * The gpu-decon plugin's bindings: the `native` runner (over the addon) and the `gpu-decon` tool
 * source. Loading the addon happens here, at activation: without it (FFTW missing at build or run
 * time) activation fails with PluginError MISSING_REQUIREMENT naming the fix, and only this
 * plugin is unavailable.
 */
export default new ContainerModule(({ bind }) => {
  const addon = loadNativeAddon();
  bind(NativeRunner)
    .toDynamicValue(
      (context) => new NativeRunner(addon, { wisdomDir: defaultWisdomDir(settingsEnvironment(context.get<KernelConfig>(KernelConfig, { optional: true }))) }),
    )
    .inSingletonScope();
  bind(GpuDeconToolSource).toSelf().inSingletonScope();
  bind(RunnerContribution).to(GpuDeconRunnerContribution).inSingletonScope();
  bind(ToolSourceContribution).to(GpuDeconToolSourceContribution).inSingletonScope();
});
