import { AsyncSeriesBailHook, AsyncSeriesHook, SyncHook } from 'tapable';
import { BioImageItError } from '../errors/bioimageit-error.js';
import { HookError } from '../errors/area-errors.js';
import type { DataItem } from '../model/data-item.js';
import type { RunRecord, RunStatus } from '../model/run.js';
import type { Runner } from '../extension-points/runner.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';

/** Payload of `dataImported`: items just committed to an experiment by one import batch. */
export interface DataImportedEvent {
  readonly experimentUri: string;
  readonly items: readonly DataItem[];
  /**
   * The open store the items were committed to (set by the kernel's import), for taps that read
   * the items' data or record derived files such as thumbnails. Usable until the kernel is disposed.
   */
  readonly store?: ExperimentStore;
}

/** A run as hooks see it (filled in by the job engine). */
export interface RunEvent {
  readonly runId: string;
  readonly toolId: string;
  readonly experimentUri: string;
  readonly jobCount: number;
  /** Processed dataset the run writes into. */
  readonly dataset?: string;
  /** Id of the runner executing the jobs. */
  readonly runner?: string;
  /** Final status (afterRun and runFailed). */
  readonly status?: RunStatus;
  /** The run record as stored (afterRun, and runFailed once a record was written). */
  readonly record?: RunRecord;
}

/** One job of a run as hooks see it. */
export interface JobEvent {
  readonly runId: string;
  readonly jobId: string;
  readonly index: number;
  /** Total number of jobs of the run. */
  readonly jobCount?: number;
  /** Input name → ids of the items bound to it. */
  readonly inputs?: Readonly<Record<string, readonly string[]>>;
}

export interface JobProgressEvent extends JobEvent {
  /** 0..1 when known. */
  readonly fraction?: number;
  readonly message?: string;
}

export interface JobFinishedEvent extends JobEvent {
  readonly status: 'succeeded' | 'failed' | 'cancelled' | 'cached';
  readonly exitCode: number | null;
  /** Why the job failed, one line. */
  readonly error?: string;
  /** Ids of the job's output items (for succeeded and cached jobs, once committed). */
  readonly outputs?: readonly string[];
  /** The output items this job has just committed (succeeded jobs only; cached jobs commit nothing). */
  readonly committed?: readonly DataItem[];
  /** The open store of the run's experiment (see {@link DataImportedEvent.store}). */
  readonly store?: ExperimentStore;
}

/** What `resolveRunner` is asked: which runner should execute this tool. */
export interface ResolveRunnerRequest {
  readonly toolId: string;
  readonly requirements: Readonly<Record<string, unknown>>;
  readonly preferred?: string;
}

/** Builds the kernel's hooks; only the kernel calls them, plugins tap them. */
export function createKernelHooks() {
  const hooks = {
    /** Items were committed by an import batch. */
    dataImported: new AsyncSeriesHook<[DataImportedEvent]>(['event']),
    /** A run is about to start; a tap may veto it by throwing. */
    beforeRun: new AsyncSeriesHook<[RunEvent]>(['run']),
    jobStarted: new SyncHook<[JobEvent]>(['job']),
    jobProgress: new SyncHook<[JobProgressEvent]>(['progress']),
    jobFinished: new AsyncSeriesHook<[JobFinishedEvent]>(['job']),
    afterRun: new AsyncSeriesHook<[RunEvent]>(['run']),
    runFailed: new SyncHook<[RunEvent, BioImageItError]>(['run', 'error']),
    /** First tap returning a runner wins. */
    resolveRunner: new AsyncSeriesBailHook<[ResolveRunnerRequest], Runner | undefined>(['request']),
    /**
     * The kernel is being disposed and is about to close its experiments: taps finish background
     * work that needs them (awaited; e.g. thumbnails still being made).
     */
    beforeDispose: new AsyncSeriesHook<[]>([]),
  };
  for (const [name, hook] of Object.entries(hooks)) wrapTapErrors(name, hook);
  return Object.freeze(hooks);
}

/** The kernel's frozen hooks object. */
export type KernelHooks = ReturnType<typeof createKernelHooks>;

/** The tap-only view handed to plugins: they can listen, never fire. */
export type PluginHooks = {
  readonly [K in keyof KernelHooks]: Pick<KernelHooks[K], Extract<keyof KernelHooks[K], 'tap' | 'tapPromise' | 'tapAsync'>>;
};

/**
 * Contributed by plugins that listen to kernel events. The hooks handed to `apply` tap with the
 * plugin's id as the tap name, whatever name the plugin passes (see pluginHooksFor).
 */
export const HookContribution = Symbol.for('@bioimageit/core/HookContribution');
export interface HookContribution {
  apply(hooks: PluginHooks): void;
}

/** The part of a tapable tap record that the error wrapper rewrites. */
interface TapRecord {
  name: string;
  type: 'sync' | 'async' | 'promise';
  fn: (...args: unknown[]) => unknown;
}

interface AnyHook {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  intercept(interceptor: { register?: (tap: any) => any }): void;
}

/**
 * Wraps every tap so that an error it throws reaches the caller as a HookError naming the hook and
 * the tap (plugin) name. BioImageIT errors thrown on purpose pass through unchanged.
 */
function wrapTapErrors(hookName: string, hook: AnyHook): void {
  hook.intercept({
    register(tap: TapRecord) {
      const t = tap;
      const original = t.fn;
      const wrap = (err: unknown): unknown => (err instanceof BioImageItError ? err : new HookError(hookName, t.name, err));
      if (t.type === 'promise') {
        t.fn = async (...args: unknown[]) => {
          try {
            return await original(...args);
          } catch (err) {
            throw wrap(err);
          }
        };
      } else if (t.type === 'async') {
        t.fn = (...args: unknown[]) => {
          const callback = args.pop() as (err?: unknown, result?: unknown) => void;
          try {
            original(...args, (err?: unknown, result?: unknown) => callback(err ? wrap(err) : err, result));
          } catch (err) {
            callback(wrap(err));
          }
        };
      } else {
        t.fn = (...args: unknown[]) => {
          try {
            return original(...args);
          } catch (err) {
            throw wrap(err);
          }
        };
      }
      return t;
    },
  });
}
