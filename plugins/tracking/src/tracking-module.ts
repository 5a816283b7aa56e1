import { ContainerModule } from 'inversify';
import { ToolSourceContribution } from '@bioimageit/core';
import { TrackingToolSourceContribution } from './tracking-tool-source.js';

/**
 * The tracking plugin's bindings: its tool source (`tracking.detect-spots`, `tracking.track`,
 * `tracking.render-tracks`, `tracking.encode-mp4`), whose manifests live in the package's
 * `tools/` folder and whose scripts run as local Node processes.
 */
export default new ContainerModule(({ bind }) => {
  bind(ToolSourceContribution).to(TrackingToolSourceContribution).inSingletonScope();
});
