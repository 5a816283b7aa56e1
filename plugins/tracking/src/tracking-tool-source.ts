import { fileURLToPath } from 'node:url';
import { injectable } from 'inversify';
import { DirectoryToolSource, type ToolSourceContribution, type ToolSourceRegistrar } from '@bioimageit/core';

/** The plugin id: its tool ids are `tracking.<name>`. */
export const TRACKING_PLUGIN_ID = 'tracking';

/**
 * The folder of this package's tool manifests (`*.tool.json`) and the Node scripts they start.
 * The same path works from the sources (`src/`) and from the build (`dist/`).
 */
export const TRACKING_TOOLS_DIR = fileURLToPath(new URL('../tools/', import.meta.url)).replace(/[\\/]$/, '');

/** Contributes the tool source `tracking`: the manifests of {@link TRACKING_TOOLS_DIR}. */
@injectable()
export class TrackingToolSourceContribution implements ToolSourceContribution {
  private readonly source = new DirectoryToolSource({ folders: [TRACKING_TOOLS_DIR], id: TRACKING_PLUGIN_ID });

  registerToolSources(registry: ToolSourceRegistrar): void {
    registry.register(this.source);
  }
}
