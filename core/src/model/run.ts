import type { Tags } from './data-item.js';

/** Status of one job of a run. `cached`: served from an identical earlier job, nothing executed. */
export type JobStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'cached';

/**
 * Status of a run as a whole. `partial`: some jobs succeeded, some failed. `unknown`: nothing
 * recorded it, as for the runs BioImageIT v1 wrote (see {@link RunRecord.recordedBy}); the job
 * engine never sets it.
 */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'partial' | 'unknown';

/** Who wrote a run record other than this implementation's job engine. */
export type RunRecorder = 'bioimageit-v1';

/** One job (one execution of the tool) inside a run record. */
export interface JobRecord {
  readonly id: string;
  readonly index: number;
  /** Input name → id of the item bound to it (all ids of the group for reduce tools). */
  readonly inputs: Readonly<Record<string, readonly string[]>>;
  readonly status: JobStatus;
  readonly exitCode?: number | null;
  readonly signal?: string;
  readonly start?: string;
  readonly end?: string;
  /** Log files, relative to the processed dataset folder (or absolute for remote storage). */
  readonly stdout?: string;
  readonly stderr?: string;
  /** Ids of the committed output items. */
  readonly outputs: readonly string[];
  /** Content key: tool digest + parameters + input checksums. */
  readonly cacheKey: string;
  /** For `cached` jobs: the run and job whose outputs were reused. */
  readonly cachedFrom?: { readonly runId: string; readonly jobId: string };
  /** Why the job failed, one line. */
  readonly error?: string;
  /** Runner facts (resolved executable, image digest, conda lock...). */
  readonly environment?: Readonly<Record<string, unknown>>;
}

/**
 * Everything about one run of a tool over selected data: v1's run.md.json (tool, parameters,
 * input queries) extended with the tool digest, runner and environment, host, user, times, and
 * per-job status, exit codes and logs. Written by the job engine through ExperimentStore.saveRun.
 */
export interface RunRecord {
  readonly id: string;
  /** Name of the processed dataset the run writes into. */
  readonly dataset: string;
  readonly tool: {
    readonly id: string;
    readonly name: string;
    readonly version: string;
    readonly digest: string;
    /** Where the manifest was loaded from (path of the XML or JSON). */
    readonly source: string;
    /** The manifest's authors, licence, citations and facts (a model's id, weights' sha256, runtime), when it gives them. */
    readonly authors?: readonly string[];
    readonly license?: string;
    readonly cite?: readonly { readonly text: string; readonly doi?: string; readonly url?: string }[];
    readonly facts?: Readonly<Record<string, string>>;
  };
  /** Parameter values as strings (v1 stores them so). */
  readonly parameters: readonly { readonly name: string; readonly value: string }[];
  readonly inputs: readonly {
    readonly name: string;
    readonly dataset: string;
    readonly query: string;
    readonly originOutputName?: string;
    /** The input's one item went to every job. */
    readonly broadcast?: boolean;
  }[];
  /** How inputs were paired: by tag keys, or by position (v1). */
  readonly matchBy?: readonly string[] | 'position';
  readonly groupBy?: readonly string[];
  /** Order of the items inside each group. */
  readonly orderBy?: readonly string[];
  readonly runner: string;
  /** The per-run runner options the run set (`partition`, `time`...), typed; values of secret options read `***`. Absent: none. */
  readonly runnerOptions?: Readonly<Record<string, string | number | boolean>>;
  readonly host: string;
  readonly user: string;
  readonly start: string;
  readonly end?: string;
  readonly status: RunStatus;
  readonly jobs: readonly JobRecord[];
  /**
   * Set when the record was read from a run file another program wrote. `bioimageit-v1`: the
   * Python BioImageIT v1 kept the tool, its parameters and input queries only, so `status` is
   * `unknown`, `jobs` is empty and the tool digest, runner, host, user and start are empty
   * strings (never written, not blank values); its outputs are the items whose origin names the run.
   */
  readonly recordedBy?: RunRecorder;
  /** Versions of BioImageIT components that made the run. */
  readonly software?: Readonly<Record<string, string>>;
}

/** A job output handed to ExperimentStore.commitProcessedItems. */
export interface NewProcessedItem {
  /** Local path of the produced file (in the job's staging folder); moved or copied into the dataset. */
  readonly sourcePath: string;
  /** Final file name in the dataset (`o_population1_001.tif`). */
  readonly name: string;
  readonly format: string;
  readonly size: number;
  readonly sha256: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The item's own tags (queries see them over the inherited origin tags). */
  readonly tags?: Tags;
  readonly author: string;
  readonly date: string;
  readonly origin: {
    readonly runId: string;
    /**
     * Input name → item id, in the tool's input order (v1 follows inputs[0] for tags). `broadcast`
     * marks an input whose one item went to every job (a PSF): the output's tags are those the
     * other inputs share, as if it were a parameter.
     */
    readonly inputs: readonly { readonly name: string; readonly id: string; readonly broadcast?: boolean }[];
    readonly output: { readonly name: string; readonly label: string };
    /** The job that made it: its id and content key (tool digest + parameters + input checksums). */
    readonly job: { readonly id: string; readonly cacheKey: string };
  };
}
