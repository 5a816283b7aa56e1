import path from 'node:path';
import {
  baseEnvironment,
  LocalRunner,
  RunnerError,
  type Runner,
  type RunnerJob,
  type RunnerOptionsSchema,
  type RunnerResult,
  type ToolManifest,
} from '@bioimageit/core';
import { activatedVariables } from './activation.js';
import { findCondaCommand, runArgv, type CondaCommand } from './conda-command.js';
import type { CondaSettings } from './conda-settings.js';
import { CommandEnvironmentCreator } from './command-environment-creator.js';
import { EmbeddedEnvironmentCreator } from './embedded-environment-creator.js';
import { stderrProgress, type EnvironmentProgress } from './environment-progress.js';
import { condaPlatform, environmentSpecOf, type ExistingEnvironmentSpec, type SolvedEnvironmentSpec } from './environment-spec.js';
import { EnvironmentManager, type EnvironmentRecord } from './environment-manager.js';
import { ExistingEnvironments } from './existing-environments.js';
import type { LockedPackage } from './conda-lock.js';
import { lockDigest, LockProvenance } from './lock-provenance.js';

/** Options of a {@link CondaRunner}. */
export interface CondaRunnerOptions {
  readonly settings: CondaSettings;
  /** Where environment creation is shown (default: stderr). */
  readonly progress?: EnvironmentProgress;
  /** Host variables: the tool's base environment and the command search (default `process.env`). */
  readonly hostEnv?: Readonly<Record<string, string | undefined>>;
  /** Milliseconds between SIGTERM and SIGKILL on timeout or cancel (default 2000). */
  readonly killGraceMs?: number;
}

/** How jobs run once the runner knows whether a conda command is installed. */
interface Backend {
  readonly command?: CondaCommand;
  readonly manager: EnvironmentManager;
  readonly existing: ExistingEnvironments;
}

/** An environment a job runs in, the facts provenance records about it, and its lock. */
interface JobEnvironment {
  readonly prefix: string;
  readonly facts: Record<string, unknown>;
  readonly lock: readonly LockedPackage[];
}

/**
 * The conda runner (id `conda`): runs each job's tool inside the conda environment its manifest
 * requires (`requirements.conda`: packages and channels, an environment file, or an existing
 * environment by name or path).
 *
 * - One prefix per distinct requirement set, `<envs>/<hash>`, created once (with a progress
 *   display) and reused by every tool with the same requirements; see {@link EnvironmentManager}.
 * - With a conda-compatible command (micromamba, mamba, conda; `BIOIMAGEIT_CONDA_COMMAND`), it
 *   creates with `create -p` and runs with `run -p PREFIX argv...` (no shell). Without one, it
 *   solves with rattler and installs itself, and runs the tool directly with `conda run`
 *   semantics: PATH, CONDA_PREFIX, CONDA_DEFAULT_ENV and the `etc/conda/activate.d` scripts'
 *   variables (computed once per prefix).
 * - Processes, logs, timeouts and cancellation are the local runner's (clean environment, argv
 *   literal, process group killed).
 * - `environment.conda` in the result names the prefix, its hash, what created it, the specs and
 *   channels, the lock's sha256, and the exact lock (name, version, build, channel of every
 *   package) in the first job of each run that used it (see {@link LockProvenance}).
 *
 * Throws RunnerError UNAVAILABLE when the tool has no conda requirement, the environment cannot
 * be solved (naming the package), a channel is down (naming it), or a named environment is
 * missing; CANCELLED and TIMEOUT as the local runner does.
 */
export class CondaRunner implements Runner {
  readonly id = 'conda';
  /**
   * No per-run options: the environment comes from the tool's requirements (and its lock goes into
   * provenance), the conda command and channels are workspace settings; a run setting one is refused.
   */
  readonly runOptions: RunnerOptionsSchema = {};
  private readonly local: LocalRunner;
  private readonly host: Readonly<Record<string, string | undefined>>;
  private readonly base: Readonly<Record<string, string>>;
  private readonly platform = condaPlatform();
  private backend?: Promise<Backend>;
  private readonly activations = new Map<string, Promise<Record<string, string>>>();
  private readonly locks = new LockProvenance();

  constructor(private readonly options: CondaRunnerOptions) {
    this.host = options.hostEnv ?? process.env;
    this.base = Object.freeze(baseEnvironment(this.host));
    this.local = new LocalRunner({ hostEnv: this.host, ...(options.killGraceMs !== undefined && { killGraceMs: options.killGraceMs }) });
  }

  /** Where this runner keeps its environments. */
  get envsDir(): string {
    return this.options.settings.envsDir;
  }

  /** Runs one job in its tool's environment; see the class documentation. */
  async run(job: RunnerJob, signal: AbortSignal): Promise<RunnerResult> {
    if (signal.aborted) throw new RunnerError('CANCELLED', `job '${job.id}' was cancelled`, { details: { jobId: job.id, started: false } });
    const tool = job.tool;
    if (tool === undefined) {
      throw new RunnerError('UNAVAILABLE', `job '${job.id}': the conda runner needs the job's tool manifest (requirements.conda)`, {
        details: { jobId: job.id },
      });
    }
    const label = `tool '${tool.id}'`;
    const backend = await this.backendReady();
    const spec = await environmentSpecOf(tool, this.options.settings, this.platform);
    const environment =
      spec.kind === 'solved'
        ? await this.solvedEnvironment(backend, spec, label, signal, job.id)
        : await this.existingEnvironment(backend, spec, `job '${job.id}' (${label})`);
    const conda = { ...environment.facts, ...this.locks.factsFor(job, environment.lock) };
    const facts = (local: Readonly<Record<string, unknown>>): Record<string, unknown> => ({ ...local, runner: this.id, conda });
    try {
      const result =
        backend.command !== undefined
          ? await this.local.run({ ...job, argv: runArgv(backend.command, environment.prefix, job.argv) }, signal)
          : await this.local.run(
              { ...job, env: { ...(await this.activation(environment.prefix)), ...job.env, ...this.pathFor(environment.prefix, job) } },
              signal,
            );
      return { ...result, environment: facts(result.environment) };
    } catch (e) {
      // Every runner error of a job that reached its environment carries that environment (the
      // local runner's facts, when it has them, made this runner's): the job's record then holds
      // the lock, or the lockIn that other jobs of the run point to.
      if (!(e instanceof RunnerError)) throw e;
      const ran = e.details['environment'];
      const local = typeof ran === 'object' && ran !== null ? (ran as Record<string, unknown>) : {};
      throw new RunnerError(e.code, e.message, { cause: e.cause, details: { ...e.details, environment: facts(local) } });
    }
  }

  /**
   * For a tool that names an existing environment (`env` or `prefix`, no packages): the digest of
   * that environment's packages now, so a changed environment makes new cache keys. Undefined for
   * solved environments: their folder is named by the requirement set (part of the tool's digest)
   * and keeps the lock it was created with.
   */
  async environmentKey(tool: ToolManifest): Promise<string | undefined> {
    const spec = await environmentSpecOf(tool, this.options.settings, this.platform);
    if (spec.kind === 'solved') return undefined;
    const backend = await this.backendReady();
    const { lock } = await backend.existing.resolve(spec, `tool '${tool.id}'`);
    return `conda:${lockDigest(lock)}`;
  }

  /** PATH of a job: the prefix's `bin` first, then the job's own PATH when it declares one, else the activated one. */
  private pathFor(prefix: string, job: RunnerJob): Record<string, string> {
    const declared = job.env['PATH'];
    return declared === undefined ? {} : { PATH: `${path.join(prefix, 'bin')}${path.delimiter}${declared}` };
  }

  private backendReady(): Promise<Backend> {
    this.backend ??= findCondaCommand(this.options.settings.command, this.host).then((command) => {
      const creator =
        command !== undefined
          ? new CommandEnvironmentCreator(command, this.host)
          : new EmbeddedEnvironmentCreator({ packagesDir: path.join(this.envsDir, '.pkgs'), baseEnv: this.base });
      const manager = new EnvironmentManager(this.envsDir, creator, this.options.progress ?? stderrProgress());
      return { ...(command !== undefined && { command }), manager, existing: new ExistingEnvironments(this.options.settings.namedEnvDirs, command) };
    });
    this.backend.catch(() => (this.backend = undefined));
    return this.backend;
  }

  private async solvedEnvironment(backend: Backend, spec: SolvedEnvironmentSpec, label: string, signal: AbortSignal, jobId: string): Promise<JobEnvironment> {
    const { record } = await backend.manager.ensure(spec, label, signal, jobId);
    return { prefix: record.prefix, facts: factsOf(record, spec.label), lock: record.lock };
  }

  private async existingEnvironment(backend: Backend, spec: ExistingEnvironmentSpec, label: string): Promise<JobEnvironment> {
    const { prefix, lock } = await backend.existing.resolve(spec, label);
    return { prefix, facts: { prefix, ...(spec.name !== undefined && { name: spec.name }), managed: false }, lock };
  }

  private activation(prefix: string): Promise<Record<string, string>> {
    let known = this.activations.get(prefix);
    if (known === undefined) {
      known = activatedVariables(prefix, this.base);
      known.catch(() => this.activations.delete(prefix));
      this.activations.set(prefix, known);
    }
    return known;
  }
}

/** What a run's provenance records about a managed environment. */
function factsOf(record: EnvironmentRecord, label: string | undefined): Record<string, unknown> {
  return {
    prefix: record.prefix,
    hash: record.hash,
    ...(label !== undefined && { name: label }),
    managed: true,
    platform: record.platform,
    specs: record.specs,
    channels: record.channels,
    ...(record.pip.length > 0 && { pip: record.pip }),
    createdBy: record.createdBy,
    createdAt: record.createdAt,
  };
}
