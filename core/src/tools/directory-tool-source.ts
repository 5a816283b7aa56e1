import { ToolError } from '../errors/area-errors.js';
import type { ToolDescriptor, ToolSource } from '../extension-points/tool-source.js';
import { findToolFiles, loadToolFile, type ToolLoadProblem } from './find-tool-files.js';
import { v1ToolKey, type ToolManifest } from './tool-manifest.js';
import type { ToolLoadWarning } from './v1-quirks.js';

/** Options of a {@link DirectoryToolSource}. */
export interface DirectoryToolSourceOptions {
  /** Folders searched recursively, in priority order (config `tools.dirs`, v1's `xml_dirs`). */
  readonly folders: readonly string[];
  /** Source id in the ToolSource registry; default `directories`. */
  readonly id?: string;
}

interface ToolIndex {
  readonly tools: readonly ToolManifest[];
  readonly byId: ReadonlyMap<string, ToolManifest>;
  readonly byV1Key: ReadonlyMap<string, ToolManifest>;
  readonly problems: readonly ToolLoadProblem[];
  readonly warnings: readonly ToolLoadWarning[];
}

/**
 * A {@link ToolSource} over folders of tool files: native manifests (`*.tool.json`) and v1 XML
 * wrappers, found recursively by `findToolFiles`. The folders are read once, on first use, and
 * again after {@link reload}. A broken file never hides the others: its error is kept in
 * {@link problems} and the good tools are still listed. Ids must be unique across the folders:
 * the first file found wins (folders in the given order, then names sorted, depth first) and each later one is
 * reported as a DUPLICATE_TOOL problem naming both files. A v1 wrapper with quirks v1 accepts
 * loads, each quirk kept in {@link warnings}.
 */
export class DirectoryToolSource implements ToolSource {
  readonly id: string;
  private readonly folders: readonly string[];
  private index: Promise<ToolIndex> | undefined;

  constructor(options: DirectoryToolSourceOptions) {
    this.id = options.id ?? 'directories';
    this.folders = [...options.folders];
  }

  /** Descriptors of the usable tools, in discovery order. */
  async listTools(): Promise<readonly ToolDescriptor[]> {
    const { tools } = await this.load();
    return tools.map((t) => ({ id: t.id, name: t.name, version: t.version, description: t.description, source: t.source }));
  }

  /**
   * The full manifest of tool `id`, also accepting v1's key `{id}_v{version}` (`biitcopy_v1.0.0`).
   *
   * @throws ToolError NOT_FOUND when no usable tool has that id or key (the message says when a
   * file that failed to load may be the cause).
   */
  async getTool(id: string): Promise<ToolManifest> {
    const index = await this.load();
    const tool = index.byId.get(id) ?? index.byV1Key.get(id.toLowerCase());
    if (tool !== undefined) return tool;
    const broken = index.problems.filter((p) => p.error.code === 'BAD_MANIFEST').length;
    const hint = broken > 0 ? ` (${broken} tool file${broken > 1 ? 's' : ''} failed to load; see problems)` : '';
    throw new ToolError('NOT_FOUND', `no tool '${id}' in ${this.folders.join(', ') || 'no folders'}${hint}`, {
      details: { tool: id, folders: this.folders },
    });
  }

  /** Everything that went wrong while reading the folders: missing folders, bad files, duplicate ids. */
  async problems(): Promise<readonly ToolLoadProblem[]> {
    return (await this.load()).problems;
  }

  /** The v1 quirks of the wrappers that loaded (file, line, quirk), in discovery order. */
  async warnings(): Promise<readonly ToolLoadWarning[]> {
    return (await this.load()).warnings;
  }

  /** Forgets what was read; the next call reads the folders again. */
  reload(): void {
    this.index = undefined;
  }

  private load(): Promise<ToolIndex> {
    this.index ??= buildIndex(this.folders);
    return this.index;
  }
}

async function buildIndex(folders: readonly string[]): Promise<ToolIndex> {
  const { files, problems } = await findToolFiles(folders);
  const quirks = files.map((): ToolLoadWarning[] => []);
  const loaded = await Promise.all(
    files.map(async (file, k) => {
      try {
        return await loadToolFile(file, { onWarning: (w) => quirks[k]?.push(w) });
      } catch (cause) {
        const error =
          cause instanceof ToolError
            ? cause
            : new ToolError('BAD_MANIFEST', `${file}: cannot load tool (${(cause as Error).message})`, { cause, details: { file } });
        return { file, error };
      }
    }),
  );
  const tools: ToolManifest[] = [];
  const byId = new Map<string, ToolManifest>();
  const byV1Key = new Map<string, ToolManifest>();
  const warnings: ToolLoadWarning[] = [];
  for (const [k, tool] of loaded.entries()) {
    if ('error' in tool) {
      problems.push(tool);
      continue;
    }
    const first = byId.get(tool.id);
    if (first !== undefined) {
      const message = `tool id '${tool.id}' is defined by both ${first.source} and ${tool.source}; keeping the first`;
      const details = { tool: tool.id, files: [first.source, tool.source] };
      problems.push({ file: tool.source, error: new ToolError('DUPLICATE_TOOL', message, { details }) });
      continue;
    }
    tools.push(tool);
    warnings.push(...(quirks[k] ?? []));
    byId.set(tool.id, tool);
    byV1Key.set(v1ToolKey(tool).toLowerCase(), tool);
  }
  return { tools, byId, byV1Key, problems, warnings };
}
