import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BioImageItError } from '../errors/bioimageit-error.js';
import { RunnerError } from '../errors/area-errors.js';
import type { Runner, RunnerJob, RunnerOptionValue, RunnerResult } from '../extension-points/runner.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { FormatRegistry } from '../registry/registries.js';
import type { NewProcessedItem } from '../model/run.js';
import { expandArgv } from '../tools/expand-argv.js';
import { outputFileName } from '../tools/output-file-name.js';
import type { ToolManifest, ToolParamValue } from '../tools/tool-manifest.js';
import { hashFile, type HashedFile } from './hash-file.js';
import type { ProgressReport } from './progress-lines.js';
import { progressLineReader } from './progress-lines.js';
import { lastErrorLine, logSize } from './tool-error-line.js';
import type { JobPlan } from './run-request.js';

/** What preparing one job needs; shared parts come from the run. */
export interface JobSetup {
  readonly runId: string;
  readonly jobId: string;
  readonly cacheKey: string;
  readonly plan: JobPlan;
  readonly manifest: ToolManifest;
  readonly params: Readonly<Record<string, ToolParamValue>>;
  /** Values of `{env.NAME}`. */
  readonly env: Readonly<Record<string, string>>;
  readonly runner: Runner;
  /** The run's validated runner options (handed to the runner with the job); absent when it set none. */
  readonly runnerOptions?: Readonly<Record<string, RunnerOptionValue>>;
  readonly store: ExperimentStore;
  readonly formats: FormatRegistry;
  readonly author: string;
  /** `YYYY-MM-DD` recorded on outputs. */
  readonly date: string;
}

/** What running a prepared job needs besides its setup. */
export interface JobContext extends JobSetup {
  readonly signal: AbortSignal;
  /** Log files the runner appends the tool's stdout and stderr to (shared by a worker's jobs, see WorkerLogs). */
  readonly logs: { readonly stdout: string; readonly stderr: string };
  /** Called for progress lines in the tool's output; absent: output is not watched (cheaper). */
  readonly onProgress?: (report: ProgressReport) => void;
}

/** How one job ended. Outputs are ready to commit only for `succeeded`. */
export interface JobExecution {
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  readonly staging: string;
  readonly start: string;
  readonly end: string;
  readonly exitCode?: number | null;
  readonly signal?: string;
  readonly outputs: readonly NewProcessedItem[];
  readonly error?: string;
  readonly environment?: Readonly<Record<string, unknown>>;
}

/** An output file a job must write: where, and how it is recorded. */
interface OutputSlot {
  readonly name: string;
  readonly label: string;
  readonly format: string;
  readonly file: string;
  readonly path: string;
}

/** A job ready to start: its staging folder, argv and output slots (see {@link prepareJob}). */
export interface PreparedJob {
  readonly staging: string;
  readonly argv: readonly string[];
  readonly outputs: readonly OutputSlot[];
  /** Every localized input file (group members included), for runners that isolate the tool. */
  readonly inputPaths: readonly string[];
}

/**
 * Prepares one job: makes its staging folder, localizes its inputs (group jobs get one list file
 * per input, `<input>.list.txt`, one path per line), places outputs in staging under their v1
 * names and builds argv (each element one argument, never a shell). The job engine prepares a
 * worker's next job while the current one runs. Resolves with a failed execution (never throws)
 * when something is wrong, e.g. an input cannot be localized.
 */
export async function prepareJob(ctx: JobSetup): Promise<PreparedJob | JobExecution> {
  let staging = '';
  try {
    staging = await ctx.store.createStagingDir(`${ctx.runId.slice(0, 8)}-${ctx.jobId}`);
    const { inputs, inputPaths } = await bindInputs(ctx, staging);
    const firstName = ctx.plan.grouped ? undefined : Object.values(ctx.plan.bindings)[0]?.[0]?.name;
    const outputs = ctx.manifest.outputs.map((o): OutputSlot => {
      const file = outputFileName(ctx.manifest, o.name, { stem: ctx.plan.stem, name: firstName ?? ctx.plan.stem }, ctx.plan.index);
      return { name: o.name, label: o.label ?? o.name, format: o.format, file, path: join(staging, file) };
    });
    const argv = expandArgv(ctx.manifest, { inputs, outputs: Object.fromEntries(outputs.map((o) => [o.name, o.path])), params: ctx.params, env: ctx.env });
    return { staging, argv, outputs, inputPaths };
  } catch (error) {
    const now = new Date().toISOString();
    return { status: 'failed', staging, start: now, end: now, outputs: [], error: oneLine(error) };
  }
}

/**
 * Runs a prepared job through the runner with the staging folder as cwd and TMPDIR (output
 * appended to `ctx.logs`), then checks the exit status (a failure says the tool's last error line
 * from its stderr, see {@link lastErrorLine}) and that every declared output exists
 * (MISSING_OUTPUT naming the file), and hashes outputs and reads their format metadata. Never
 * throws for a job failure: the result says why. The caller keeps the logs, commits the outputs
 * and removes the staging folder.
 */
export async function runPreparedJob(ctx: JobContext, prepared: PreparedJob): Promise<JobExecution> {
  const start = new Date().toISOString();
  const { staging, outputs } = prepared;
  const ended = (rest: Omit<JobExecution, 'staging' | 'start' | 'end' | 'outputs'> & { outputs?: readonly NewProcessedItem[] }): JobExecution => ({
    outputs: [],
    ...rest,
    staging,
    start,
    end: new Date().toISOString(),
  });
  const timeoutS = ctx.manifest.resources.timeoutS;
  const job: RunnerJob = {
    id: ctx.jobId,
    argv: prepared.argv,
    env: { BIOIMAGEIT_RUN_ID: ctx.runId, BIOIMAGEIT_JOB_ID: ctx.jobId, BIOIMAGEIT_JOB_INDEX: String(ctx.plan.index) },
    cwd: staging,
    stdoutPath: ctx.logs.stdout,
    stderrPath: ctx.logs.stderr,
    tmpDir: staging,
    tool: ctx.manifest,
    inputPaths: prepared.inputPaths,
    runId: ctx.runId,
    ...(ctx.runnerOptions !== undefined && { runnerOptions: ctx.runnerOptions }),
    ...(timeoutS !== undefined && { timeoutMs: timeoutS * 1000 }),
    ...(ctx.onProgress !== undefined && { onOutput: progressLineReader(ctx.onProgress) }),
  };
  let result: RunnerResult;
  const stderrFrom = await logSize(ctx.logs.stderr);
  try {
    result = await ctx.runner.run(job, ctx.signal);
  } catch (error) {
    const cancelled = error instanceof RunnerError && error.code === 'CANCELLED';
    const details = error instanceof BioImageItError ? error.details : {};
    const environment = details['environment'] as Record<string, unknown> | undefined;
    const exitCode = details['exitCode'] as number | null | undefined;
    return ended({
      status: cancelled ? 'cancelled' : 'failed',
      error: oneLine(error),
      ...(environment !== undefined && { environment }),
      ...(exitCode !== undefined && { exitCode }),
    });
  }
  const base = { exitCode: result.exitCode, environment: result.environment, ...(result.signal !== undefined && { signal: result.signal }) };
  if (result.exitCode !== 0) {
    const why = result.exitCode === null ? `killed by signal ${result.signal ?? 'unknown'}` : `exited with code ${result.exitCode}`;
    const said = await lastErrorLine(ctx.logs.stderr, stderrFrom);
    return ended({ status: 'failed', ...base, error: `${ctx.manifest.id} ${why}${said === undefined ? '' : `: ${said}`}` });
  }
  const hashed: HashedFile[] = [];
  for (const output of outputs) {
    try {
      hashed.push(await hashFile(output.path));
    } catch {
      const error = new RunnerError(
        'MISSING_OUTPUT',
        `job '${ctx.jobId}': ${ctx.manifest.id} exited with code 0 but did not write output '${output.name}' (${output.file})`,
        {
          details: { jobId: ctx.jobId, output: output.name, file: output.path },
        },
      );
      return ended({ status: 'failed', ...base, error: `MISSING_OUTPUT: ${error.message}` });
    }
  }
  const originInputs = ctx.manifest.inputs
    .filter((i) => i.type === 'data')
    .flatMap((i) =>
      (ctx.plan.bindings[i.name] ?? []).map((item) => ({
        name: i.name,
        id: item.id,
        ...(ctx.plan.broadcast?.includes(i.name) === true && { broadcast: true as const }),
      })),
    );
  const items = await Promise.all(
    outputs.map(async (output, k): Promise<NewProcessedItem> => {
      const file = hashed[k] as HashedFile;
      return {
        sourcePath: output.path,
        name: output.file,
        format: output.format,
        size: file.size,
        sha256: file.sha256,
        metadata: await readMetadata(ctx.formats, output.format, output.path, file.bytes),
        author: ctx.author,
        date: ctx.date,
        origin: { runId: ctx.runId, inputs: originInputs, output: { name: output.name, label: output.label }, job: { id: ctx.jobId, cacheKey: ctx.cacheKey } },
      };
    }),
  );
  return ended({ status: 'succeeded', ...base, outputs: items });
}

async function bindInputs(ctx: JobSetup, staging: string): Promise<{ inputs: Record<string, string>; inputPaths: string[] }> {
  const inputs: Record<string, string> = {};
  const inputPaths: string[] = [];
  for (const [name, items] of Object.entries(ctx.plan.bindings)) {
    const paths = await Promise.all(items.map((item) => ctx.store.localize(item)));
    inputPaths.push(...paths);
    if (!ctx.plan.grouped) {
      inputs[name] = paths[0] as string;
      continue;
    }
    const list = join(staging, `${name}.list.txt`);
    await writeFile(list, paths.map((p) => `${p}\n`).join(''));
    inputs[name] = list;
  }
  return { inputs, inputPaths };
}

/** Format metadata of an output through the codec of its format (or extension); `{}` when none can read it. */
async function readMetadata(formats: FormatRegistry, format: string, path: string, bytes: Uint8Array | undefined): Promise<Record<string, unknown>> {
  const codec = formats.peek(format) ?? formats.forPath(path);
  if (codec === undefined || bytes === undefined) return {};
  try {
    return { ...(await codec.readMetadata(bytes, path)) };
  } catch {
    return {};
  }
}

/** An error as one line of text. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
