import { inject, injectable, optional } from 'inversify';
import { KernelConfig, settingsEnvironment, type ToolSourceContribution, type ToolSourceRegistrar } from '@bioimageit/core';
import { ModelStore, resolveModelsDir } from './model-store.js';
import { ModelToolSource } from './model-tool-source.js';

/** The ONNX Runtime description, loading the inference code (and ONNX Runtime) only when a tool is listed. */
async function runtime(): Promise<string> {
  const { runtimeDescription } = await import('./inference/index.js');
  try {
    return runtimeDescription();
  } catch (error) {
    return `onnxruntime-node (not loadable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
}

/**
 * Contributes the tool source `model-zoo`: the installed models of the workspace's models folder
 * (`BIOIMAGEIT_MODELS_DIR`, else `<workspace>/models`, else `~/.cache/bioimageit/models/installed`)
 * as tools `model.<id>`.
 */
@injectable()
export class ModelZooToolSourceContribution implements ToolSourceContribution {
  private readonly source: ModelToolSource;

  constructor(@inject(KernelConfig) @optional() config: KernelConfig | undefined) {
    const env = settingsEnvironment(config);
    this.source = new ModelToolSource(new ModelStore(resolveModelsDir(env, config?.workspace)), runtime);
  }

  registerToolSources(registry: ToolSourceRegistrar): void {
    registry.register(this.source);
  }
}
