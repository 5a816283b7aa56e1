import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { loadPipelineFile, ToolError, type Kernel, type Pipeline } from '@bioimageit/core';

/** A pipeline file the workspace offers. */
export interface PipelineEntry {
  /** The pipeline's name (from the file): what a client names to run it. */
  readonly name: string;
  /** The file name (never its folder: clients choose by name, not by path). */
  readonly file: string;
  /** Where it was found: the workspace's `pipelines/` folder or a tool folder. */
  readonly origin: 'workspace' | 'tools';
  readonly steps: readonly { readonly name: string; readonly tool: string; readonly outputDataset: string }[];
  /** Why the file cannot run (unreadable, invalid, or its name is taken by an earlier file); absent when it can. */
  readonly error?: string;
}

/** A listed pipeline with its definition and path, for running it. */
interface Found {
  readonly entry: PipelineEntry;
  readonly pipeline?: Pipeline;
}

/**
 * The pipeline files a workspace offers: the JSON files of its `pipelines/` folder, then the files
 * named `*pipeline*.json` in the configured tool folders (`tools.dirs`, which may name the
 * bundled `@bioimageit/cli/tools`), each read and checked. Files are read again on every call, so
 * a file added while the server runs is offered at once. Two files with one pipeline name: the
 * first is run, the later is listed with an error.
 */
export class PipelineCatalog {
  constructor(private readonly kernel: Kernel) {}

  async list(): Promise<PipelineEntry[]> {
    return (await this.scan()).map((f) => f.entry);
  }

  /**
   * The pipeline named `name`, from a file this catalog lists. Throws ToolError BAD_PARAMETER
   * (HTTP 400) for a name no file offers (the message lists the names) or a file that cannot run.
   */
  async get(name: string): Promise<{ readonly entry: PipelineEntry; readonly pipeline: Pipeline }> {
    const found = await this.scan();
    const hit = found.find((f) => f.entry.name === name && f.pipeline !== undefined) ?? found.find((f) => f.entry.name === name);
    if (hit === undefined) {
      const names = found.filter((f) => f.pipeline !== undefined).map((f) => f.entry.name);
      throw new ToolError('BAD_PARAMETER', `no pipeline named '${name}' in this workspace (pipelines: ${names.length === 0 ? 'none' : names.join(', ')})`, {
        details: { pipeline: name, known: names },
      });
    }
    if (hit.pipeline === undefined)
      throw new ToolError('BAD_PARAMETER', `pipeline '${name}' (${hit.entry.file}) cannot run: ${hit.entry.error ?? 'invalid'}`, {
        details: { pipeline: name, file: hit.entry.file },
      });
    return { entry: hit.entry, pipeline: hit.pipeline };
  }

  private async scan(): Promise<Found[]> {
    const workspace = this.kernel.config.workspace;
    const files: { path: string; origin: PipelineEntry['origin'] }[] = [];
    for (const file of await jsonFiles(join(workspace, 'pipelines'))) files.push({ path: file, origin: 'workspace' });
    for (const dir of this.kernel.config.tools.dirs)
      for (const file of await jsonFiles(resolve(workspace, dir)))
        if (/pipeline/i.test(basename(file)) && !files.some((f) => f.path === file)) files.push({ path: file, origin: 'tools' });
    const found: Found[] = [];
    for (const { path, origin } of files) {
      const file = basename(path);
      try {
        const pipeline = await loadPipelineFile(path);
        const steps = pipeline.steps.map((s) => ({ name: s.name, tool: s.tool, outputDataset: s.outputDataset }));
        const first = found.find((f) => f.entry.name === pipeline.name && f.pipeline !== undefined);
        if (first !== undefined) found.push({ entry: { name: pipeline.name, file, origin, steps, error: `the name is taken by ${first.entry.file}` } });
        else found.push({ entry: { name: pipeline.name, file, origin, steps }, pipeline });
      } catch (error) {
        const message = (error instanceof Error ? error.message : String(error)).replaceAll(path, file);
        found.push({ entry: { name: file.replace(/\.json$/i, ''), file, origin, steps: [], error: message } });
      }
    }
    return found;
  }
}

/** The `.json` files directly in `dir`, in name order; none when the folder is missing. */
async function jsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.json'))
    .map((e) => join(dir, e.name))
    .sort();
}
