import { createWriteStream, type WriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { isBioImageItError, LocalRunner, RunnerError, type Runner, type RunnerJob, type RunnerResult } from '@bioimageit/core';
import { PLUGIN_ID, TOOLS_VERSION } from './gpu-decon-tools.js';
import type { NativeAddon } from './native-addon.js';
import { NATIVE_OPERATIONS } from './native-operations.js';
import type { NativeOperation, OperationContext } from './operation-context.js';
import { defaultWisdomDir } from './run-native.js';
import { ToolArgs } from './tool-args.js';

/** Settings of the native runner (from the plugin's options). */
export interface NativeRunnerOptions {
  /**
   * Worker threads per job (default: the job's `resources.cpus`, else this machine's cores shared
   * among the native jobs running at the moment of each addon call, so `--jobs 2` does not run
   * twice as many OpenMP threads as there are cores).
   */
  readonly threads?: number;
  /** FFTW wisdom folder (default {@link defaultWisdomDir}). */
  readonly wisdomDir?: string;
}

function openLog(path: string): WriteStream {
  return createWriteStream(path, { flags: 'a' });
}

function closeLog(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

/**
 * Runner `native`: runs the gpu-decon tools in this process through the addon (work on libuv
 * worker threads, the event loop stays free). It reads the job's argv back into parameters,
 * writes `progress: N%` lines and messages to the job's stdout log (and to `onOutput`), and a
 * failure message to stderr with exit code 1. An abort rejects with CANCELLED, `timeoutMs` with
 * TIMEOUT, once the native work has stopped.
 *
 * Other host executables (`requirements.native.executables`, or any argv when a user picks
 * `--runner native`) run as local processes through `processes` (core's LocalRunner), so the
 * runner keeps the whole Runner contract; their environment says `runner: native`,
 * `process: local`. Tools of another plugin (`requirements.native.plugin`) are refused with
 * RunnerError UNAVAILABLE.
 */
export class NativeRunner implements Runner {
  readonly id = 'native';
  private readonly environment: Readonly<Record<string, unknown>>;
  private processes: Runner | undefined;
  /** Native operations running now (they share the cores when no thread count is set). */
  private active = 0;

  constructor(
    private readonly addon: NativeAddon,
    private readonly options: NativeRunnerOptions = {},
    private readonly operations: Readonly<Record<string, NativeOperation>> = NATIVE_OPERATIONS,
    processes?: Runner,
  ) {
    this.processes = processes;
    const info = addon.info();
    this.environment = Object.freeze({
      runner: 'native',
      plugin: PLUGIN_ID,
      toolsVersion: TOOLS_VERSION,
      fftw: info.fftw,
      openmp: info.openmp,
      cudaCompiled: info.cuda.compiled,
      cudaDevices: info.cuda.devices,
      host: hostname(),
      node: process.version,
    });
  }

  async run(job: RunnerJob, signal: AbortSignal): Promise<RunnerResult> {
    const plugin = job.tool?.requirements.native?.plugin;
    if (plugin !== undefined && plugin !== PLUGIN_ID) {
      throw new RunnerError(
        'UNAVAILABLE',
        `runner 'native' runs the tools of plugin '${PLUGIN_ID}', not those of '${plugin}' (job ${job.id}, tool ${job.tool?.id ?? '?'})`,
        {
          details: { job: job.id, tool: job.tool?.id, plugin },
        },
      );
    }
    if (job.argv[0] !== PLUGIN_ID && plugin === undefined) return this.runProcess(job, signal);
    const operation = this.operations[job.argv[1] ?? ''];
    if (job.argv[0] !== PLUGIN_ID || operation === undefined) {
      throw new RunnerError(
        'UNAVAILABLE',
        `job ${job.id} asks for '${job.argv.slice(0, 2).join(' ')}', which is not a ${PLUGIN_ID} operation (${Object.keys(this.operations).join(', ')})`,
        {
          details: { job: job.id, tool: job.tool?.id },
        },
      );
    }
    if (signal.aborted) throw new RunnerError('CANCELLED', `job ${job.id} was cancelled before it started`, { details: { job: job.id } });
    const stdout = openLog(job.stdoutPath);
    const stderr = openLog(job.stderrPath);
    const emit = (stream: WriteStream, kind: 'stdout' | 'stderr', text: string): void => {
      stream.write(text);
      try {
        job.onOutput?.(kind, Buffer.from(text));
      } catch {
        // a progress tap must not break the job
      }
    };
    const controller = new AbortController();
    let timedOut = false;
    const onAbort = (): void => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      job.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, job.timeoutMs)
        : undefined;
    let lastPercent = -1;
    const fixed = this.options.threads ?? job.tool?.resources.cpus;
    const running = (): number => Math.max(1, this.active);
    const cores = this.addon.info().threads;
    let threadsUsed = 0;
    const context: OperationContext = {
      addon: this.addon,
      signal: controller.signal,
      // Read at each addon call: a fixed count, or this job's share of the cores right now.
      get threads(): number {
        const share = fixed ?? Math.max(1, Math.floor(cores / running()));
        threadsUsed = Math.max(threadsUsed, share);
        return share;
      },
      wisdomDir: this.options.wisdomDir ?? defaultWisdomDir(),
      log: (line) => emit(stdout, 'stdout', `${line}\n`),
      progress: (fraction) => {
        const percent = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
        if (percent !== lastPercent) emit(stdout, 'stdout', `progress: ${percent}%\n`);
        lastPercent = percent;
      },
    };
    let exitCode = 0;
    let facts: Record<string, unknown> = {};
    this.active++;
    try {
      facts = await operation(ToolArgs.parse(job.argv, job.cwd), context);
    } catch (error) {
      if (controller.signal.aborted) {
        emit(stderr, 'stderr', `${timedOut ? 'timed out' : 'cancelled'}\n`);
        await Promise.all([closeLog(stdout), closeLog(stderr)]);
        throw timedOut
          ? new RunnerError('TIMEOUT', `job ${job.id} ran past its ${job.timeoutMs} ms limit`, { details: { job: job.id, timeoutMs: job.timeoutMs } })
          : new RunnerError('CANCELLED', `job ${job.id} was cancelled`, { details: { job: job.id } });
      }
      exitCode = 1;
      const message = isBioImageItError(error) || !(error instanceof Error) ? String((error as Error).message ?? error) : (error.stack ?? error.message);
      emit(stderr, 'stderr', `${job.argv.slice(0, 2).join(' ')}: ${message}\n`);
    } finally {
      this.active--;
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    await Promise.all([closeLog(stdout), closeLog(stderr)]);
    // The most threads any of its addon calls used.
    return { exitCode, environment: { ...this.environment, threads: threadsUsed || (fixed ?? cores), ...facts } };
  }

  /** A host executable, run as a local process (core's LocalRunner). */
  private async runProcess(job: RunnerJob, signal: AbortSignal): Promise<RunnerResult> {
    this.processes ??= new LocalRunner();
    const result = await this.processes.run(job, signal);
    return { ...result, environment: { ...result.environment, runner: 'native', process: this.processes.id } };
  }
}
