import { createToolManifest, ToolError, type ToolDescriptor, type ToolManifest, type ToolSource } from '@bioimageit/core';
import { GPU_DECON_TOOLS, PLUGIN_ID } from './gpu-decon-tools.js';

/** The tools of this plugin (`gpu-decon.deskew`, `gpu-decon.deconvolve`, `gpu-decon.llsm`), run by the `native` runner. */
export class GpuDeconToolSource implements ToolSource {
  readonly id = PLUGIN_ID;
  private readonly tools: ReadonlyMap<string, ToolManifest> = new Map(
    GPU_DECON_TOOLS.map((body) => [body.id, createToolManifest(body, `plugin:${PLUGIN_ID}`)]),
  );

  async listTools(): Promise<readonly ToolDescriptor[]> {
    return [...this.tools.values()].map((t) => ({ id: t.id, name: t.name, version: t.version, description: t.description, source: t.source }));
  }

  /** The manifest of `id` (or its v1 key `id_vVERSION`). Throws ToolError NOT_FOUND listing this source's tools. */
  async getTool(id: string): Promise<ToolManifest> {
    const found = this.tools.get(id) ?? [...this.tools.values()].find((t) => `${t.id}_v${t.version}` === id);
    if (found !== undefined) return found;
    throw new ToolError('NOT_FOUND', `plugin '${PLUGIN_ID}' has no tool '${id}' (it has ${[...this.tools.keys()].join(', ')})`, {
      details: { tool: id, source: PLUGIN_ID },
    });
  }
}
