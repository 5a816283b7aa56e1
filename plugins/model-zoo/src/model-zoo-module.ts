import { ContainerModule } from 'inversify';
import { ToolSourceContribution } from '@bioimageit/core';
import { ModelZooToolSourceContribution } from './tool-contribution.js';

/**
 * The model-zoo plugin's bindings: its tool source (every installed BioImage Model Zoo model with
 * ONNX weights as the tool `model.<id>`, run by the local runner through `tools/run-model.mjs`).
 */
export default new ContainerModule(({ bind }) => {
  bind(ToolSourceContribution).to(ModelZooToolSourceContribution).inSingletonScope();
});
