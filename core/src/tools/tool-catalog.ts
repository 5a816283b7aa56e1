import { ToolError } from '../errors/area-errors.js';
import { isBioImageItError } from '../errors/bioimageit-error.js';
import type { ToolDescriptor, ToolSource } from '../extension-points/tool-source.js';
import type { ToolSourceRegistry } from '../registry/registries.js';
import type { DirectoryToolSource } from './directory-tool-source.js';
import type { ToolLoadProblem } from './find-tool-files.js';
import type { ToolManifest } from './tool-manifest.js';
import type { ToolLoadWarning } from './v1-quirks.js';

/**
 * Every tool the kernel can run: the configured tool folders first (`tools.dirs`), then the
 * ToolSources contributed by plugins (`contributes.toolSources`), in source-id order.
 *
 * - `getTool(id)` asks the folders, then the plugin source whose id is the tool id's namespace
 *   (`gpu-decon` for `gpu-decon.deconvolve`), then the other plugin sources; the first answer wins,
 *   so a folder can shadow a plugin's tool. Plugin sources are activated only when asked.
 * - A plugin source that cannot be activated (a missing capability, a broken plugin) never hides
 *   the other tools: `listTools()` skips it and `problems()` reports it.
 */
export class ToolCatalog implements ToolSource {
  readonly id = 'catalog';
  private readonly sourceProblems = new Map<string, ToolLoadProblem>();

  constructor(
    private readonly folders: DirectoryToolSource,
    private readonly sources: ToolSourceRegistry,
  ) {}

  /** Folder tools, then each available plugin source's tools (ids already listed are skipped). */
  async listTools(): Promise<readonly ToolDescriptor[]> {
    const listed = [...(await this.folders.listTools())];
    const seen = new Set(listed.map((t) => t.id));
    for (const key of this.pluginSourceIds()) {
      const source = await this.activate(key);
      if (source === undefined) continue;
      try {
        for (const tool of await source.listTools()) {
          if (seen.has(tool.id)) continue;
          seen.add(tool.id);
          listed.push(tool);
        }
      } catch (cause) {
        this.remember(key, cause);
      }
    }
    return listed;
  }

  /**
   * The manifest of tool `id` (or v1 key).
   *
   * @throws ToolError NOT_FOUND naming the folders and plugin sources searched.
   */
  async getTool(id: string): Promise<ToolManifest> {
    let notFound: unknown;
    try {
      return await this.folders.getTool(id);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      notFound = error;
    }
    const namespace = id.includes('.') ? id.slice(0, id.indexOf('.')) : undefined;
    const keys = this.pluginSourceIds().sort((a, b) => Number(b === namespace) - Number(a === namespace));
    for (const key of keys) {
      const source = await this.activate(key);
      if (source === undefined) {
        if (key === namespace) throw this.sourceProblems.get(key)?.error ?? notFound;
        continue;
      }
      try {
        return await source.getTool(id);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    if (keys.length === 0) throw notFound;
    const message = `${(notFound as Error).message}; not contributed by plugin tool sources ${keys.join(', ')} either`;
    throw new ToolError('NOT_FOUND', message, { cause: notFound, details: { tool: id, toolSources: keys } });
  }

  /** Problems of the folders (bad files, duplicates) and of plugin sources that could not be used. */
  async problems(): Promise<readonly ToolLoadProblem[]> {
    return [...(await this.folders.problems()), ...this.sourceProblems.values()];
  }

  /** The v1 quirks of the folders' wrappers that loaded anyway (see DirectoryToolSource.warnings). */
  async warnings(): Promise<readonly ToolLoadWarning[]> {
    return this.folders.warnings();
  }

  /** Forgets what the folders held (plugin sources keep their own state). */
  reload(): void {
    this.folders.reload();
    this.sourceProblems.clear();
  }

  private pluginSourceIds(): string[] {
    return this.sources.keys().filter((k) => k !== this.folders.id);
  }

  private async activate(key: string): Promise<ToolSource | undefined> {
    try {
      return await this.sources.get(key);
    } catch (cause) {
      this.remember(key, cause);
      return undefined;
    }
  }

  private remember(key: string, cause: unknown): void {
    const plugin = this.sources.ownerOf(key) ?? 'unknown plugin';
    const why = cause instanceof Error ? cause.message : String(cause);
    const error = new ToolError('SOURCE_UNAVAILABLE', `tool source '${key}' of plugin '${plugin}' is unavailable: ${why}`, {
      cause,
      details: { toolSource: key, plugin },
    });
    this.sourceProblems.set(key, { file: `plugin:${plugin}`, error });
  }
}

function isNotFound(error: unknown): boolean {
  return isBioImageItError(error) && error.code === 'NOT_FOUND';
}
