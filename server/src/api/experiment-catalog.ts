import { resolve } from 'node:path';
import type { ExperimentStore, ExperimentSummary, Kernel } from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import { PathRedactor } from '../http/path-redactor.js';

/**
 * The experiments a server exposes, by id: those of the workspace's experiments location plus the
 * ones named when the server started (`bioimageit serve -e PATH`). Clients address experiments
 * only by these ids, never by path or URI, so no request can open a folder the server was not
 * given. Stores are opened once and stay open until the kernel is disposed.
 */
export class ExperimentCatalog {
  private readonly stores = new Map<string, Promise<ExperimentStore>>();
  private extra: Promise<ExperimentSummary[]> | undefined;
  /**
   * Hides the server's folders in error messages and run states: each experiment's folder shows
   * as its name, the workspace as `<workspace>`, the tool folders as `<tools>` (a tool's file as
   * its path in its folder), any other absolute path as its last segment.
   */
  readonly redactor = new PathRedactor();

  constructor(
    private readonly kernel: Kernel,
    private readonly extraRefs: readonly string[] = [],
  ) {
    this.redactor.add(kernel.config.workspace, '<workspace>');
    for (const dir of kernel.config.tools.dirs) this.redactor.add(resolve(kernel.config.workspace, dir), '<tools>');
  }

  /** Every exposed experiment, workspace ones first, each id once. */
  async list(): Promise<ExperimentSummary[]> {
    const own = await this.kernel.listExperiments().catch(() => [] as ExperimentSummary[]);
    const extra = await this.extraSummaries();
    const seen = new Set<string>();
    const all = [...own, ...extra].filter((e) => !seen.has(e.id) && seen.add(e.id));
    for (const e of all) if (e.uri.startsWith('file:')) this.redactor.add(e.uri, e.name);
    return all;
  }

  /** The open store of experiment `id`; ApiError NOT_FOUND naming the known ids otherwise. */
  async open(id: string): Promise<ExperimentStore> {
    const cached = this.stores.get(id);
    if (cached !== undefined) return cached;
    const all = await this.list();
    const hit = all.find((e) => e.id === id);
    if (hit === undefined) {
      throw new ApiError('NOT_FOUND', `no experiment with id '${id}' (experiments: ${all.map((e) => `${e.name} = ${e.id}`).join(', ') || 'none'})`, {
        details: { experiment: id },
      });
    }
    const opening = this.kernel.openExperiment(hit.uri);
    this.stores.set(id, opening);
    opening.catch(() => this.stores.delete(id));
    return opening;
  }

  /** Keeps the store of an experiment just created through the API (so that it is opened once). */
  async adopt(store: ExperimentStore): Promise<ExperimentSummary> {
    const info = await store.info();
    this.stores.set(info.id, Promise.resolve(store));
    if (info.uri.startsWith('file:')) this.redactor.add(info.uri, info.name);
    return { id: info.id, uri: info.uri, name: info.name, author: info.author, date: info.date, keys: info.keys };
  }

  /**
   * The experiment `id` as the workspace's experiments location lists it; ApiError NOT_FOUND
   * when no exposed experiment has that id, FORBIDDEN when it is exposed only because the server
   * was started with it (`-e`): those live elsewhere and are not the server's to delete.
   */
  async workspaceExperiment(id: string): Promise<ExperimentSummary> {
    const own = await this.kernel.listExperiments().catch(() => [] as ExperimentSummary[]);
    const hit = own.find((e) => e.id === id);
    if (hit !== undefined) return hit;
    const extra = (await this.list()).find((e) => e.id === id);
    if (extra === undefined) await this.open(id);
    throw new ApiError(
      'FORBIDDEN',
      `experiment '${extra?.name ?? id}' was given to the server at its start (-e), not found in its workspace: it cannot be deleted here`,
      {
        details: { experiment: id },
      },
    );
  }

  /** Closes experiment `id`'s store, if open, and forgets it (before its deletion). */
  async forget(id: string): Promise<void> {
    const opening = this.stores.get(id);
    this.stores.delete(id);
    const store = await opening?.catch(() => undefined);
    await store?.close();
  }

  private extraSummaries(): Promise<ExperimentSummary[]> {
    this.extra ??= Promise.all(
      this.extraRefs.map(async (ref) => {
        const store = await this.kernel.openExperiment(ref);
        const info = await store.info();
        const summary: ExperimentSummary = { id: info.id, uri: info.uri, name: info.name, author: info.author, date: info.date, keys: info.keys };
        this.stores.set(info.id, Promise.resolve(store));
        return summary;
      }),
    );
    return this.extra;
  }
}
