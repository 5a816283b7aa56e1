import type { Disposable } from '../util/disposable.js';
import type { ToolManifest } from '../tools/tool-manifest.js';

/** Minimal description of a tool, as listed by a source (full manifests come with the tools work). */
export interface ToolDescriptor {
  /** Namespaced id (`gpu-decon.deconvolve`, or a v1 key `biitcopy_v1.0.0`). */
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  /** Where the tool was defined (a manifest path or plugin id). */
  readonly source: string;
}

/**
 * ToolSource extension point, keyed by source id: directories of manifests, v1 XML wrappers,
 * native tools of a plugin. Errors: ToolError (`BAD_MANIFEST` naming the file).
 */
export const ToolSource = Symbol.for('@bioimageit/core/ToolSource');
export interface ToolSource {
  readonly id: string;
  listTools(): Promise<readonly ToolDescriptor[]>;
  /**
   * The full manifest of tool `id` (also a v1 key `{id}_v{version}` where the source has v1
   * wrappers). Throws ToolError NOT_FOUND when this source has no such tool.
   */
  getTool(id: string): Promise<ToolManifest>;
}

export const ToolSourceContribution = Symbol.for('@bioimageit/core/ToolSourceContribution');
export interface ToolSourceContribution {
  registerToolSources(registry: ToolSourceRegistrar): void;
}
export interface ToolSourceRegistrar {
  register(source: ToolSource): Disposable;
}
