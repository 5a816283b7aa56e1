import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StorageError } from '../errors/area-errors.js';
import { RunEngine } from '../engine/run-engine.js';
import type { RunOutcome, ToolRunRequest } from '../engine/run-request.js';
import { loadPipelineFile, type Pipeline } from '../engine/pipeline-definition.js';
import { runPipeline, type PipelineOutcome, type PipelineRunOptions } from '../engine/pipeline-runner.js';
import type { KernelConfig } from '../config/kernel-config.js';
import type { ExperimentStore, ItemPage, ItemSelection, StorageBackend } from '../extension-points/storage-backend.js';
import type { KernelHooks, PluginHooks } from '../hooks/kernel-hooks.js';
import { ImportService, type ImportOptions, type ImportReport } from '../import/import-service.js';
import type { DataItem } from '../model/data-item.js';
import type { ExperimentInit, ExperimentSummary } from '../model/experiment.js';
import type { ExperimentCheckOptions, ExperimentCheckReport } from '../model/experiment-check.js';
import type { PluginLoader, PluginStatus } from '../plugin/plugin-loader.js';
import { parseQuery } from '../query/index.js';
import type { FormatRegistry, RunnerRegistry, StorageRegistry, ToolSourceRegistry } from '../registry/registries.js';
import { TagService } from '../tagging/tag-service.js';
import { DirectoryToolSource } from '../tools/directory-tool-source.js';
import { ToolCatalog } from '../tools/tool-catalog.js';

export interface KernelParts {
  readonly config: KernelConfig;
  readonly hooks: KernelHooks;
  readonly loader: PluginLoader;
  readonly storage: StorageRegistry;
  readonly formats: FormatRegistry;
  readonly runners: RunnerRegistry;
  readonly toolSources: ToolSourceRegistry;
}

/** A URI (`file:///x`, `omero://host/project/1`) or not. */
const URI = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The façade TypeScript users and the CLI work with: experiments, import, tags and queries over
 * whichever storage backends the configured plugins contribute. Created by `createKernel`.
 * Experiment references are a URI, a folder path, or an experiment name in the workspace's
 * experiments location.
 */
export class Kernel {
  readonly config: KernelConfig;
  /** Tap-only view of the kernel's hooks. */
  readonly hooks: PluginHooks;
  readonly storage: StorageRegistry;
  readonly formats: FormatRegistry;
  readonly runners: RunnerRegistry;
  readonly toolSources: ToolSourceRegistry;
  readonly tags = new TagService();
  private readonly importer: ImportService;
  private readonly loader: PluginLoader;
  private readonly open = new Set<ExperimentStore>();
  private readonly parts: KernelParts;
  private toolCatalog?: ToolCatalog;
  private engine?: RunEngine;

  constructor(parts: KernelParts) {
    this.parts = parts;
    this.config = parts.config;
    this.hooks = parts.hooks;
    this.storage = parts.storage;
    this.formats = parts.formats;
    this.runners = parts.runners;
    this.toolSources = parts.toolSources;
    this.loader = parts.loader;
    this.importer = new ImportService(parts.formats, parts.hooks);
  }

  /** Status of every configured plugin (declared, active, unavailable with the reason, failed). */
  plugins(): PluginStatus[] {
    return this.loader.list();
  }

  /** Where experiments live: the configured location as a URI or absolute path. */
  experimentsLocation(): string {
    const where = this.config.experiments;
    return URI.test(where) ? where : resolve(this.config.workspace, where);
  }

  async listExperiments(location = this.experimentsLocation()): Promise<readonly ExperimentSummary[]> {
    return (await this.backendFor(location)).listExperiments(location);
  }

  async createExperiment(init: ExperimentInit, location = this.experimentsLocation()): Promise<ExperimentStore> {
    return this.track(await (await this.backendFor(location)).createExperiment(location, init));
  }

  /** Opens an experiment by URI, folder path or name; StorageError NOT_FOUND lists what exists. */
  async openExperiment(ref: string): Promise<ExperimentStore> {
    const uri = await this.resolveExperiment(ref);
    return this.track(await (await this.backendFor(uri)).openExperiment(uri));
  }

  async deleteExperiment(ref: string): Promise<void> {
    const uri = await this.resolveExperiment(ref);
    await (await this.backendFor(uri)).deleteExperiment(uri);
  }

  /**
   * Checks an experiment's integrity and, with `repair`, fixes what is safe (see
   * ExperimentStore.check). StorageError UNSUPPORTED when its backend has no check.
   */
  async checkExperiment(store: ExperimentStore, options: ExperimentCheckOptions = {}): Promise<ExperimentCheckReport> {
    if (store.check === undefined) {
      throw new StorageError('UNSUPPORTED', `the storage of experiment '${store.uri}' cannot check its integrity`, { details: { experiment: store.uri } });
    }
    return store.check(options);
  }

  /** Imports a file or folder into the experiment's raw dataset (see ImportService). */
  importData(store: ExperimentStore, path: string, options: Partial<ImportOptions> = {}): Promise<ImportReport> {
    return this.importer.importPath(store, path, {
      mode: this.config.import.mode,
      batchSize: this.config.import.batchSize,
      concurrency: this.config.import.concurrency,
      author: this.config.user.name,
      ...options,
    });
  }

  /** Items of a dataset selected by a query (empty query: all). Throws QueryError for a bad query. */
  async query(store: ExperimentStore, where = '', dataset = 'data'): Promise<DataItem[]> {
    return [...(await this.select(store, where, dataset)).items];
  }

  /**
   * One page of the items a query selects, and how many it selects in all (`{ limit: 0 }`
   * counts only). Served by the store's index where it has one (ExperimentStore.selectItems).
   * Throws QueryError for a bad query.
   */
  async select(store: ExperimentStore, where = '', dataset = 'data', page: ItemPage = {}): Promise<ItemSelection> {
    const query = parseQuery(where);
    if (store.selectItems !== undefined) return store.selectItems(dataset, query, page);
    const hits = (await store.items(dataset)).filter((item) => query.matches(item));
    return { total: hits.length, items: pageOf(hits, page) };
  }

  /**
   * Every runnable tool: the configured folders (`tools.dirs`, relative to the workspace, read
   * once) and then the tool sources plugins contribute (see {@link ToolCatalog}).
   */
  tools(): ToolCatalog {
    this.toolCatalog ??= this.toolCatalogWith([]);
    return this.toolCatalog;
  }

  /** A catalog over the configured folders plus `extraFolders` (absolute), and the plugins' tool sources. */
  toolCatalogWith(extraFolders: readonly string[]): ToolCatalog {
    const folders = [...this.config.tools.dirs.map((d) => resolve(this.config.workspace, d)), ...extraFolders];
    return new ToolCatalog(new DirectoryToolSource({ folders }), this.toolSources);
  }

  /**
   * Runs a tool (by id, v1 key, or a loaded manifest) over an experiment's data through the job
   * engine, with the configured user and `env` values; see `RunEngine` for the whole contract.
   */
  async runTool(store: ExperimentStore, request: ToolRunRequest): Promise<RunOutcome> {
    const tool = typeof request.tool === 'string' ? await this.tools().getTool(request.tool) : request.tool;
    this.engine ??= new RunEngine({ hooks: this.parts.hooks, runners: this.runners, formats: this.formats, user: this.config.user.name, env: this.config.env });
    return this.engine.run(store, { ...request, tool });
  }

  /** Reads a pipeline JSON file (native or v1 shape); see `parsePipeline`. */
  loadPipeline(path: string): Promise<Pipeline> {
    return loadPipelineFile(path);
  }

  /** Runs a pipeline's steps in dependency order with the configured tools (see `runPipeline`). */
  runPipeline(store: ExperimentStore, pipeline: Pipeline, options: PipelineRunOptions = {}): Promise<PipelineOutcome> {
    return runPipeline(store, pipeline, { resolveTool: (id) => this.tools().getTool(id), run: (s, request) => this.runTool(s, request) }, options);
  }

  /**
   * Fires `beforeDispose` (plugins finish background work, e.g. thumbnails), then closes every
   * experiment this kernel opened, also when a tap failed (its error is rethrown after).
   */
  async dispose(): Promise<void> {
    const settled = await this.parts.hooks.beforeDispose.promise().then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    const stores = [...this.open];
    this.open.clear();
    await Promise.all(stores.map((s) => s.close()));
    if (settled !== undefined) throw settled.error;
  }

  /** The backend for a URI or path (paths are `file`). Activates its plugin on first use. */
  backendFor(uriOrPath: string): Promise<StorageBackend> {
    const scheme = URI.test(uriOrPath) ? uriOrPath.slice(0, uriOrPath.indexOf(':')).toLowerCase() : 'file';
    return this.storage.get(scheme);
  }

  private async resolveExperiment(ref: string): Promise<string> {
    if (URI.test(ref)) return ref;
    if (isAbsolute(ref) || ref.startsWith('.') || ref.includes('/')) {
      const path = resolve(ref);
      if (existsSync(path)) return pathToFileURL(path).href;
    }
    const location = this.experimentsLocation();
    const all = await this.listExperiments(location);
    const hit = all.find((e) => e.name === ref) ?? all.find((e) => e.uri.endsWith('/' + encodeURIComponent(ref.replace(/\s+/g, ''))));
    if (hit !== undefined) return hit.uri;
    if (!URI.test(location) && existsSync(join(location, ref))) return pathToFileURL(join(location, ref)).href;
    const names = all.map((e) => e.name);
    throw new StorageError('NOT_FOUND', `no experiment '${ref}' in ${location} (experiments: ${names.length === 0 ? 'none' : names.join(', ')})`, {
      details: { experiment: ref, location, known: names },
    });
  }

  private track(store: ExperimentStore): ExperimentStore {
    this.open.add(store);
    return store;
  }
}

/** The hits `page` selects (all by default). */
function pageOf<T>(hits: readonly T[], page: ItemPage): T[] {
  const offset = Math.max(0, page.offset ?? 0);
  const limit = page.limit ?? Number.POSITIVE_INFINITY;
  return limit <= 0 ? [] : hits.slice(offset, limit === Number.POSITIVE_INFINITY ? undefined : offset + limit);
}
