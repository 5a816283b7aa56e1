import type { Disposable } from '../util/disposable.js';
import type { ToolManifest } from '../tools/tool-manifest.js';

/** Which output stream a chunk came from (see {@link RunnerJob.onOutput}). */
export type RunnerStream = 'stdout' | 'stderr';

/**
 * One process to execute: argv (never a shell line), environment, working directory.
 *
 * A runner must pass `argv` elements to the tool literally (no shell, no globbing), give the tool
 * only `env` plus a small base of its own choosing (PATH, HOME, locale, TMPDIR, USER; never the
 * caller's other variables), append its stdout and stderr to the two log files (creating them even
 * when nothing is written) and leave stdin empty.
 */
export interface RunnerJob {
  readonly id: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  readonly timeoutMs?: number;
  /**
   * Optional. Names of host variables copied into the tool's environment when they are set on the
   * host (`DISPLAY`, `CUDA_VISIBLE_DEVICES`...). Values in `env` win over passed-through ones.
   */
  readonly passEnv?: readonly string[];
  /**
   * Optional. Folder the tool's TMPDIR points to; created when missing and left in place. When
   * absent, runners make a private temporary folder per job and remove it when the job ends.
   */
  readonly tmpDir?: string;
  /**
   * Optional progress tap: called with each chunk the tool writes, in order per stream, before it
   * reaches the log file. Exceptions it throws are ignored. Runners may deliver chunks split at
   * arbitrary byte boundaries.
   */
  readonly onOutput?: (stream: RunnerStream, chunk: Uint8Array) => void;
  /**
   * Optional. The tool this job runs (set by the job engine): its `requirements` (docker image,
   * conda environment, native plugin), `resources` (cpus, memoryMb, gpus, timeoutS), identity and
   * digest. Runners that isolate or schedule the tool read it; the local runner ignores it.
   */
  readonly tool?: ToolManifest;
  /**
   * Optional. Absolute paths of every file the job reads (localized input items, and the items
   * listed in a group job's list files): runners that isolate the tool make them readable at the
   * same paths (read-only). `cwd` is the job's staging folder, where outputs are written.
   */
  readonly inputPaths?: readonly string[];
  /** Optional. The run this job belongs to (the job engine sets it; schedulers may batch a run's jobs). */
  readonly runId?: string;
  /**
   * Optional. The per-run options the run set for this runner (see {@link Runner.runOptions}),
   * already checked against its declaration and typed by the job engine: only the options the run
   * set; an absent one means the runner's configured setting. Every job of a run gets the same.
   */
  readonly runnerOptions?: Readonly<Record<string, RunnerOptionValue>>;
}

/** The value of one per-run runner option. */
export type RunnerOptionValue = string | number | boolean;

/**
 * One option a runner accepts per run (`--runner-option NAME=VALUE`, REST `runnerOptions`),
 * described like a JSON-schema property. The job engine checks a run's values against it before
 * anything runs: the type (a command line's strings are converted to numbers and booleans),
 * `enum`, `pattern` (matched against the whole value), `minimum` and `maximum`; text values must
 * be one line without control characters.
 */
export interface RunnerOptionSpec {
  /** `integer`: a whole number. */
  readonly type: 'string' | 'number' | 'integer' | 'boolean';
  /** One line for `runners` listings and the REST API. */
  readonly description: string;
  /** What applies when a run sets none: the runner's configured setting. Absent: nothing is set (the tool's resources, or the backend's own default). */
  readonly default?: RunnerOptionValue;
  /** The accepted values of a string option. */
  readonly enum?: readonly string[];
  /** A regular expression (JavaScript syntax, `u` flag) the whole of a string value must match. */
  readonly pattern?: string;
  /** Bounds of a number or integer option, inclusive. */
  readonly minimum?: number;
  readonly maximum?: number;
  /** A value that must never be written down: run records show `***` instead. */
  readonly secret?: boolean;
}

/** The per-run options of a runner, by name (`partition`, `pull`...), in the order listings show them. */
export type RunnerOptionsSchema = Readonly<Record<string, RunnerOptionSpec>>;

/**
 * How a job ended. A non-zero exit code is a result, not an error: runners resolve with it and
 * the job engine decides what counts as failure. A tool killed by a signal the runner did not
 * send resolves with `exitCode: null` and `signal`.
 */
export interface RunnerResult {
  readonly exitCode: number | null;
  readonly signal?: string;
  /** Facts for provenance (image digest, conda lock, host...). Non-empty, JSON-serializable, `runner` = runner id. */
  readonly environment: Readonly<Record<string, unknown>>;
}

/**
 * Runner extension point, keyed by runner id (`local`, `docker`, `conda`, `slurm`, `native`).
 * The job engine (tools/runs work) hands jobs to runners; a runner executes one job and reports
 * its exit status. Errors: RunnerError (`UNAVAILABLE`, `TIMEOUT`, `CANCELLED`). TIMEOUT and
 * CANCELLED settle only once nothing the job started is still running.
 * `@bioimageit/core/testing` exports `describeRunnerContract`, which every runner must pass.
 */
export const Runner = Symbol.for('@bioimageit/core/Runner');
export interface Runner {
  readonly id: string;
  /**
   * Optional. How many jobs the engine hands this runner at once when the run names no number
   * (`--jobs`); absent: 1. A scheduler (SLURM) sets it high so that a run's jobs queue together.
   */
  readonly defaultConcurrency?: number;
  /**
   * Optional. A digest of what this runner would run `tool` with, where that can change while the
   * tool's manifest stays the same: the content id a mutable Docker tag points to now, the
   * packages of a named conda environment. The job engine adds it to every job's cache key, so a
   * changed environment recomputes instead of serving outputs made with the old one. Undefined:
   * nothing beyond the manifest (the key is then what it was without this method). It may prepare
   * what the run needs anyway (pull an image). A rejection is reported as a run warning and the
   * key is computed without it (the jobs then meet the same problem and fail with it).
   * `runnerOptions`: the run's options (as for its jobs).
   */
  environmentKey?(tool: ToolManifest, signal?: AbortSignal, runnerOptions?: Readonly<Record<string, RunnerOptionValue>>): Promise<string | undefined>;
  /**
   * Optional. The options a run may set for this runner (`runnerOptions` of a run request), each
   * with its type and its default (the runner's configured setting). Absent or empty: the runner
   * takes none, and a run that sets one fails before anything runs (ToolError BAD_PARAMETER). The
   * validated values reach the runner as {@link RunnerJob.runnerOptions} (and as the third argument
   * of `environmentKey`); the runner still refuses values its backend cannot take safely.
   */
  readonly runOptions?: RunnerOptionsSchema;
  run(job: RunnerJob, signal: AbortSignal): Promise<RunnerResult>;
}

/** Contributed by plugins (and core, for `local`) that provide runners. */
export const RunnerContribution = Symbol.for('@bioimageit/core/RunnerContribution');
export interface RunnerContribution {
  registerRunners(registry: RunnerRegistrar): void;
}
/** The register side of the runner registry handed to {@link RunnerContribution}s. */
export interface RunnerRegistrar {
  register(runner: Runner): Disposable;
}
