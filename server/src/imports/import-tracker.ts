import { randomUUID } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import type { ExperimentStore, ImportOptions, ImportReport, Kernel } from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import type { RunEventBus } from '../runs/run-events.js';
import type { LocatedSource } from './import-roots.js';

/** Files listed by name in an import's state (failed or skipped ones); the counts cover all. */
const LISTED = 100;
/** Least time between two progress events of one import. */
const PROGRESS_EVERY_MS = 250;

/** An import this server started, as `GET …/imports/{import}` and `import` events show it. */
export interface LiveImport {
  readonly id: string;
  /** Experiment id (as the API names it). */
  readonly experiment: string;
  readonly root: string;
  /** The path inside the root (`''`: the root itself). */
  readonly path: string;
  readonly mode: 'copy' | 'reference';
  readonly status: 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';
  readonly start: string;
  readonly end?: string;
  /** Files with a known format the import reads (0 until the walk is done). */
  readonly total: number;
  /** Files read so far (imported or failed). */
  readonly done: number;
  /** Items committed (set when the import has ended). */
  readonly imported: number;
  readonly failedCount: number;
  readonly skippedCount: number;
  /** The first files that failed, by path inside the root, with why. */
  readonly failed: readonly { readonly path: string; readonly error: string }[];
  /** The first files left out (no known format, already imported), by path inside the root. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  /** Why the import as a whole failed, one line. */
  readonly error?: string;
}

interface Tracked {
  live: LiveImport;
  readonly controller: AbortController;
  done: Promise<void>;
}

/**
 * Imports started through the API: each runs the kernel's `importData` (what `bioimageit import`
 * runs) in the background and publishes its state as `import` events on the run event bus, at
 * most every {@link PROGRESS_EVERY_MS} while it reads files and once when it ends. Paths in the
 * state are relative to the import root; error texts pass through `redact`.
 */
export class ImportTracker {
  private readonly imports = new Map<string, Tracked>();

  constructor(
    private readonly kernel: Kernel,
    private readonly events: RunEventBus,
    private readonly redact: (text: string) => string = (text) => text,
  ) {}

  /** Starts importing `source` into `store` (experiment `experimentId`) and returns its first state. */
  start(
    experimentId: string,
    store: ExperimentStore,
    source: LocatedSource,
    options: Omit<ImportOptions, 'author' | 'onProgress' | 'signal'> & { author?: string },
  ): LiveImport {
    const controller = new AbortController();
    const live: LiveImport = {
      id: randomUUID(),
      experiment: experimentId,
      root: source.root,
      path: source.path,
      mode: options.mode ?? this.kernel.config.import.mode,
      status: 'running',
      start: new Date().toISOString(),
      total: 0,
      done: 0,
      imported: 0,
      failedCount: 0,
      skippedCount: 0,
      failed: [],
      skipped: [],
    };
    const tracked: Tracked = { live, controller, done: Promise.resolve() };
    this.imports.set(live.id, tracked);
    this.publish(tracked);
    let last = 0;
    const inRoot = (path: string) => this.inRoot(source, path);
    tracked.done = this.kernel
      .importData(store, source.absolute, {
        ...options,
        keepItems: false,
        signal: controller.signal,
        onProgress: (p) => {
          tracked.live = { ...tracked.live, total: p.total, done: p.done, failedCount: p.failed };
          const now = Date.now();
          if (now - last >= PROGRESS_EVERY_MS) {
            last = now;
            this.publish(tracked);
          }
        },
      })
      .then(
        (report) => this.finish(tracked, report, inRoot),
        (error: unknown) => {
          const message = this.redact((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '');
          tracked.live = { ...tracked.live, status: controller.signal.aborted ? 'cancelled' : 'failed', end: new Date().toISOString(), error: message };
          this.publish(tracked);
        },
      );
    return live;
  }

  /** An import of experiment `experimentId`; ApiError NOT_FOUND otherwise. */
  get(experimentId: string, id: string): LiveImport {
    const tracked = this.imports.get(id);
    if (tracked === undefined || tracked.live.experiment !== experimentId)
      throw new ApiError('NOT_FOUND', `no import '${id}' in experiment ${experimentId} (imports are kept while the server runs)`, { details: { import: id } });
    return tracked.live;
  }

  /** Imports of experiment `experimentId` (every experiment's when undefined), oldest first. */
  list(experimentId?: string): LiveImport[] {
    return [...this.imports.values()].map((t) => t.live).filter((l) => experimentId === undefined || l.experiment === experimentId);
  }

  /** Asks a running import to stop; batches already committed stay committed. */
  cancel(experimentId: string, id: string): LiveImport {
    const live = this.get(experimentId, id);
    if (live.status !== 'running') throw new ApiError('CONFLICT', `import '${id}' is already ${live.status}`, { details: { import: id, status: live.status } });
    this.imports.get(id)?.controller.abort();
    return live;
  }

  /** Resolves when an import has ended (tests, shutdown). */
  async settled(id: string): Promise<LiveImport | undefined> {
    await this.imports.get(id)?.done;
    return this.imports.get(id)?.live;
  }

  /** Cancels every running import and waits for them to end (server shutdown). */
  async stopAll(): Promise<void> {
    const running = [...this.imports.values()].filter((t) => t.live.status === 'running');
    for (const t of running) t.controller.abort();
    await Promise.all(running.map((t) => t.done));
  }

  private finish(tracked: Tracked, report: ImportReport, inRoot: (path: string) => string): void {
    const failed = report.failed.map((f) => ({ path: inRoot(f.path), error: this.redact(f.error) }));
    const skipped = report.skipped.map((s) => ({ path: inRoot(s.path), reason: this.redact(s.reason) }));
    const status = report.cancelled ? 'cancelled' : failed.length === 0 ? 'succeeded' : report.importedCount > 0 ? 'partial' : 'failed';
    tracked.live = {
      ...tracked.live,
      status,
      end: new Date().toISOString(),
      imported: report.importedCount,
      failedCount: failed.length,
      skippedCount: skipped.length,
      failed: failed.slice(0, LISTED),
      skipped: skipped.slice(0, LISTED),
      ...(status === 'failed' && { error: `none of the ${failed.length} file(s) could be imported: ${failed[0]?.error ?? ''}` }),
    };
    this.publish(tracked);
  }

  /** A path the importer reported (absolute, under the imported folder), relative to the import root. */
  private inRoot(source: LocatedSource, path: string): string {
    if (source.kind === 'file') return source.path;
    const rel = isAbsolute(path) ? relative(source.absolute, path).split(sep).join('/') : path;
    return [source.path, rel].filter((s) => s !== '').join('/');
  }

  private publish(tracked: Tracked): void {
    this.events.publish({ type: 'import', experiment: tracked.live.experiment, runId: tracked.live.id, data: tracked.live });
  }
}
