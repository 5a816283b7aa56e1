import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  RunnerError,
  type Runner,
  type RunnerJob,
  type RunnerOptionsSchema,
  type RunnerOptionValue,
  type RunnerResult,
  type ToolManifest,
} from '@bioimageit/core';
import { ContainerLifecycle, type ContainerExit } from './container-lifecycle.js';
import { ContainerLogFiles } from './container-log-files.js';
import { containerSpec, type ContainerSpec } from './container-spec.js';
import { prepareContainerTempDir } from './container-temp-dir.js';
import type { DockerEngineClient } from './docker-engine-client.js';
import { DockerApiError } from './docker-engine-client.js';
import { ImageProvisioner, type ImageFacts } from './image-provisioner.js';
import { dockerRunOptions, dockerRunOverrides } from './docker-run-options.js';
import { resolveDockerRunnerOptions, type DockerRunnerOptions, type ResolvedDockerRunnerOptions } from './docker-runner-options.js';

/** setTimeout's largest delay; longer limits would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type StopReason = 'timeout' | 'cancel';

const reasonOf = (error: unknown): string => (error instanceof DockerApiError ? error.daemonMessage : error instanceof Error ? error.message : String(error));

/**
 * The `docker` runner: runs each job in its own container on a Docker Engine, through the Engine
 * API on its unix socket (never the docker CLI).
 *
 * - Image: the tool's `requirements.docker.image` (else the configured default image). It is
 *   inspected (and pulled, with progress, when absent and pulling is allowed); its content id and
 *   registry digests go into `environment`, hence into the run's provenance.
 * - Container: argv literally (Entrypoint + Cmd, no shell); the working directory bound read-write
 *   and every input file read-only, at their host paths; the tool's folder read-only; runs as the
 *   invoking user (`uid:gid`, so outputs belong to the user); `NetworkMode: none` unless the tool
 *   asks for a network; memory (without extra swap), CPU and GPU limits from the tool's
 *   resources, or from the run's `runnerOptions` (see dockerRunOptions: also `pull`); a clean environment (see `containerEnv`); a unique name; labels naming the job.
 * - Output is attached and demultiplexed into the job's log files (appended, created even when
 *   empty) and its `onOutput` tap; stdin is empty.
 * - A non-zero exit code resolves. A container killed by its memory limit rejects with RunnerError
 *   NON_ZERO_EXIT saying so (details: exitCode, oomKilled, environment), and the reason is also
 *   appended to the stderr log. `timeoutMs` and the abort signal kill the container (SIGKILL) and
 *   reject with TIMEOUT / CANCELLED once it is gone. The container is always removed.
 * - Errors before the tool runs (no image, pull failure, missing input or folder, command not in
 *   the image, daemon gone) reject with UNAVAILABLE naming the job, the image or path, and the cause.
 */
export class DockerRunner implements Runner {
  readonly id = 'docker';
  /** What a run may set per run (`--runner-option pull=never`): see dockerRunOptions. */
  readonly runOptions: RunnerOptionsSchema;
  private readonly options: ResolvedDockerRunnerOptions;
  private readonly images: ImageProvisioner;
  private readonly toolDirs = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly client: DockerEngineClient,
    options: DockerRunnerOptions = {},
  ) {
    this.options = resolveDockerRunnerOptions(options);
    this.images = new ImageProvisioner(client, { pullPolicy: this.options.pullPolicy, onPullProgress: this.options.onPullProgress });
    this.runOptions = dockerRunOptions(this.options.pullPolicy);
  }

  /**
   * The content id the tool's image reference points to now (`docker:sha256:…`; pulled first when
   * absent and pulling is allowed, as its first job would), so a tag moved to another image makes
   * new cache keys and the run's containers start from that image. Undefined when the tool has no image and no default is set.
   */
  async environmentKey(tool: ToolManifest, _signal?: AbortSignal, runnerOptions?: Readonly<Record<string, RunnerOptionValue>>): Promise<string | undefined> {
    const image = tool.requirements.docker?.image ?? this.options.defaultImage;
    if (image === undefined) return undefined;
    const { pullPolicy } = dockerRunOverrides('environment', runnerOptions);
    // Checked afresh at each run's start (the jobs of the run then reuse this check).
    this.images.forget(image);
    return `docker:${(await this.images.ensure(image, pullPolicy)).id}`;
  }

  /** Runs one job in a fresh container; see the class documentation for what resolves and what rejects. */
  async run(job: RunnerJob, signal: AbortSignal): Promise<RunnerResult> {
    if (signal.aborted) throw this.cancelled(job, { started: false });
    if (job.argv.length === 0 || job.argv[0] === '') {
      throw new RunnerError('UNAVAILABLE', `job '${job.id}' has no command (empty argv)`, { details: { jobId: job.id } });
    }
    const overrides = dockerRunOverrides(job.id, job.runnerOptions);
    const image = job.tool?.requirements.docker?.image ?? this.options.defaultImage;
    if (image === undefined) {
      const who = job.tool === undefined ? 'it names no tool' : `tool '${job.tool.id}' declares no requirements.docker.image`;
      throw new RunnerError('UNAVAILABLE', `job '${job.id}': no image to run it in (${who} and BIOIMAGEIT_DOCKER_IMAGE is not set)`, {
        details: { jobId: job.id },
      });
    }
    const [facts, tmp, logs, toolDir] = await Promise.allSettled([
      this.images.ensure(image, overrides.pullPolicy),
      prepareContainerTempDir(job, this.options.user),
      ContainerLogFiles.open(job).catch((cause: unknown) => {
        throw new RunnerError('UNAVAILABLE', `job '${job.id}': cannot open its log files: ${reasonOf(cause)}`, {
          cause,
          details: { jobId: job.id, stdoutPath: job.stdoutPath, stderrPath: job.stderrPath },
        });
      }),
      this.toolDir(job),
    ]);
    const failure = [facts, tmp, logs, toolDir].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined || signal.aborted) {
      await Promise.all([tmp.status === 'fulfilled' ? tmp.value.release() : undefined, logs.status === 'fulfilled' ? logs.value.close() : undefined]);
      if (failure === undefined) throw this.cancelled(job, { started: false });
      throw this.beforeStart(job, image, failure.reason);
    }
    const ready = <T>(r: PromiseSettledResult<T>): T => (r as PromiseFulfilledResult<T>).value;
    const spec = containerSpec(job, ready(facts).id, ready(tmp).path, ready(toolDir), this.options, overrides);
    try {
      await this.checkMountSources(job, spec);
      return await this.execute(job, ready(facts), spec, ready(logs), signal);
    } finally {
      await Promise.all([
        ready(logs).close(),
        ready(tmp)
          .release()
          .catch(() => undefined),
      ]);
    }
  }

  private async execute(job: RunnerJob, image: ImageFacts, spec: ContainerSpec, logs: ContainerLogFiles, signal: AbortSignal): Promise<RunnerResult> {
    const startedAt = new Date();
    const t0 = performance.now();
    const environment = (): Record<string, unknown> => this.environment(image, spec, startedAt, performance.now() - t0);
    let created: { Id: string };
    try {
      created = await this.client.json<{ Id: string }>('POST', '/containers/create', { query: { name: spec.name }, body: spec.body });
    } catch (error) {
      if (error instanceof DockerApiError && error.status === 404) this.images.forget(image.reference);
      throw this.beforeStart(job, image.reference, error);
    }
    const container = new ContainerLifecycle(this.client, created.Id);
    let reason: StopReason | undefined;
    // kill() does nothing until start() returned; a stop requested meanwhile is replayed after it.
    const stop = (why: StopReason): void => {
      reason ??= why;
      container.kill().catch(() => undefined);
    };
    const onAbort = (): void => stop('cancel');
    signal.addEventListener('abort', onAbort, { once: true });
    const limit = job.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      try {
        await container.prepare((stream, payload) => logs.write(stream, payload));
      } catch (error) {
        throw this.beforeStart(job, image.reference, error);
      }
      if (signal.aborted) throw this.cancelled(job, { started: false });
      try {
        await container.start();
      } catch (error) {
        throw this.beforeStart(job, image.reference, error);
      }
      if (reason !== undefined || signal.aborted) stop(reason ?? 'cancel');
      if (limit !== undefined && Number.isFinite(limit)) timer = setTimeout(() => stop('timeout'), Math.min(Math.max(limit, 0), MAX_TIMER_MS));
      let exit: ContainerExit;
      try {
        exit = await container.exit();
      } catch (error) {
        throw new RunnerError(
          'UNAVAILABLE',
          `job '${job.id}': lost the Docker daemon at unix://${this.client.socketPath} while container ${spec.name} ran: ${reasonOf(error)}`,
          {
            cause: error,
            details: { jobId: job.id, container: spec.name, environment: environment() },
          },
        );
      }
      if (timer !== undefined) clearTimeout(timer);
      await container.drained(this.options.drainMs);
      return await this.outcome(job, exit, reason, logs, environment());
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      await container.remove().catch(() => undefined);
    }
  }

  /** Turns a container's exit into the job's result or error. */
  private async outcome(
    job: RunnerJob,
    exit: ContainerExit,
    reason: StopReason | undefined,
    logs: ContainerLogFiles,
    environment: Record<string, unknown>,
  ): Promise<RunnerResult> {
    const details = { jobId: job.id, exitCode: exit.statusCode, environment };
    if (reason === 'timeout') {
      throw new RunnerError('TIMEOUT', `job '${job.id}' exceeded its time limit of ${job.timeoutMs} ms; its container was killed`, {
        details: { ...details, timeoutMs: job.timeoutMs },
      });
    }
    if (reason === 'cancel') throw this.cancelled(job, { ...details, started: true });
    if (exit.oomKilled) {
      const own = job.runnerOptions?.['memory'];
      const limit = job.tool?.resources.memoryMb;
      const from =
        own !== undefined
          ? ` (limit ${String(own)} from the run's 'memory' option)`
          : limit === undefined
            ? ''
            : ` (limit ${limit} MB from the tool's resources.memoryMb)`;
      const message = `job '${job.id}': the container ran out of memory${from} and was killed (exit code ${exit.statusCode})`;
      await logs.note(`bioimageit docker runner: ${message}`);
      throw new RunnerError('NON_ZERO_EXIT', message, { details: { ...details, oomKilled: true, memoryMb: limit } });
    }
    return { exitCode: exit.statusCode, environment };
  }

  /** Provenance facts: runner, image (reference, id, digests), container, daemon (engine, version, API version used), limits, user, host and times. */
  private environment(image: ImageFacts, spec: ContainerSpec, startedAt: Date, durationMs: number): Record<string, unknown> {
    const host = spec.body['HostConfig'] as Record<string, unknown>;
    return {
      runner: this.id,
      image: image.reference,
      imageId: image.id,
      imageDigests: [...image.repoDigests],
      ...(image.pulled && { imagePulled: true }),
      container: spec.name,
      dockerEngine: this.client.daemon.engine,
      dockerVersion: this.client.daemon.version,
      dockerApiVersion: this.client.daemon.apiVersion,
      user: this.options.user,
      network: spec.networkMode,
      ...(typeof host['Memory'] === 'number' && { memoryBytes: host['Memory'] }),
      ...(typeof host['NanoCpus'] === 'number' && { cpus: (host['NanoCpus'] as number) / 1e9 }),
      host: os.hostname(),
      startedAt: startedAt.toISOString(),
      endedAt: new Date(startedAt.getTime() + durationMs).toISOString(),
      durationMs: Math.round(durationMs * 1000) / 1000,
    };
  }

  /**
   * Refuses a job whose bind-mount source (an input file, most likely) is missing, before any
   * container exists. Docker refuses such a container itself, but Podman's compatible service
   * creates the missing path on the host (as an empty directory) and runs the tool.
   */
  private async checkMountSources(job: RunnerJob, spec: ContainerSpec): Promise<void> {
    const exists = (source: string): Promise<boolean> =>
      stat(source).then(
        () => true,
        () => false,
      );
    const found = await Promise.all(spec.mounts.map((m) => exists(m.Source)));
    const missing = spec.mounts.find((_, i) => !found[i])?.Source;
    if (missing === undefined) return;
    throw new RunnerError('UNAVAILABLE', `job '${job.id}': '${missing}' does not exist, so it cannot be mounted into the container`, {
      details: { jobId: job.id, path: missing },
    });
  }

  /** The tool's folder, mounted read-only for `{tool.dir}` scripts, when it exists on this host. */
  private toolDir(job: RunnerJob): Promise<string | undefined> {
    const source = job.tool?.source;
    if (source === undefined || !path.isAbsolute(source)) return Promise.resolve(undefined);
    const dir = path.dirname(source);
    let known = this.toolDirs.get(dir);
    if (known === undefined) {
      known = stat(dir).then(
        (s) => (s.isDirectory() ? dir : undefined),
        () => undefined,
      );
      this.toolDirs.set(dir, known);
    }
    return known;
  }

  private cancelled(job: RunnerJob, details: Record<string, unknown>): RunnerError {
    return new RunnerError('CANCELLED', `job '${job.id}' was cancelled`, { details: { jobId: job.id, ...details } });
  }

  /** An error raised before the tool ran, as UNAVAILABLE naming the job and the image. */
  private beforeStart(job: RunnerJob, image: string, error: unknown): RunnerError {
    if (error instanceof RunnerError) {
      if (error.code !== 'UNAVAILABLE' || error.message.includes(job.id)) return error;
      return new RunnerError('UNAVAILABLE', `job '${job.id}': ${error.message}`, { cause: error, details: { ...error.details, jobId: job.id } });
    }
    const why = reasonOf(error);
    const missing = /executable file not found|no such file or directory/i.test(why) ? ` (is '${job.argv[0]}' in the image?)` : '';
    return new RunnerError('UNAVAILABLE', `job '${job.id}': cannot run in image '${image}': ${why}${missing}`, {
      cause: error,
      details: { jobId: job.id, image, command: job.argv[0] },
    });
  }
}
