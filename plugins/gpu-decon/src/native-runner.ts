import { createWriteStream, type WriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { isBioImageItError, RunnerError, type Runner, type RunnerJob, type RunnerResult } from '@bioimageit/core';
import { PLUGIN_ID, TOOLS_VERSION } from './gpu-decon-tools.js';
import type { NativeAddon } from './native-addon.js';
import { NATIVE_OPERATIONS } from './native-operations.js';
import type { NativeOperation, OperationContext } from './operation-context.js';
import { defaultWisdomDir } from './run-native.js';
import { ToolArgs } from './tool-args.js';

/** Settings of the native runner (from the plugin's options). */
export interface NativeRunnerOptions {
  /** Worker threads per job (default: the job's `resources.cpus`, else every core). */
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
 * failure message to stderr with exit code 1. Jobs of other tools are refused with RunnerError
 * UNAVAILABLE; an abort rejects with CANCELLED, `timeoutMs` with TIMEOUT, once the native work
 * has stopped.
 */
export class NativeRunner implements Runner {
  readonly id = 'native';
  private readonly environment: Readonly<Record<string, unknown>>;

  constructor(
    private readonly addon: NativeAddon,
    private readonly options: NativeRunnerOptions = {},
    private readonly operations: Readonly<Record<string, NativeOperation>> = NATIVE_OPERATIONS,
  ) {
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
    const operation = this.operations[job.argv[1] ?? ''];
    if ((plugin !== undefined && plugin !== PLUGIN_ID) || job.argv[0] !== PLUGIN_ID || operation === undefined) {
      throw new RunnerError('UNAVAILABLE', `runner 'native' only runs ${PLUGIN_ID} tools (${Object.keys(this.operations).join(', ')}); job ${job.id} asks for '${job.argv.slice(0, 2).join(' ')}'`, {
        details: { job: job.id, tool: job.tool?.id },
      });
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
    const context: OperationContext = {
      addon: this.addon,
      signal: controller.signal,
      threads: this.options.threads ?? job.tool?.resources.cpus ?? this.addon.info().threads,
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
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    await Promise.all([closeLog(stdout), closeLog(stderr)]);
    return { exitCode, environment: { ...this.environment, threads: context.threads, ...facts } };
  }
}
