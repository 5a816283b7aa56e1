import { readFile } from 'node:fs/promises';
import { ConfigError, shownRunRecord, StorageError, type ExperimentStore, type JobRecord, type RunRecord } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';
import { datasetFolder, jobCounts, logPath, runStatusText } from './run-report.js';
import { printRun } from './run-show.js';

interface RunsFlags {
  experiment?: string;
  dataset?: string;
}

/** A run by id or unique id prefix (`3f2a9c1b`); StorageError NOT_FOUND naming the candidates otherwise. */
async function findRun(store: ExperimentStore, id: string, dataset?: string): Promise<RunRecord> {
  const runs = await store.listRuns(dataset);
  const exact = runs.find((r) => r.id === id);
  if (exact !== undefined) return exact;
  const hits = runs.filter((r) => r.id.startsWith(id));
  if (hits.length === 1) return hits[0] as RunRecord;
  const why = hits.length === 0 ? 'no run' : `${hits.length} runs`;
  throw new StorageError(
    'NOT_FOUND',
    `${why} with id '${id}' in ${store.uri}${hits.length > 1 ? ` (${hits.map((r) => r.id).join(', ')})` : ''}; see 'bioimageit runs list'`,
    {
      details: { run: id },
    },
  );
}

/** A job by id (`job-0003`) or 1-based number (`3`). */
function findJob(run: RunRecord, ref: string): JobRecord {
  const byId = run.jobs.find((j) => j.id === ref);
  const n = Number(ref);
  const job = byId ?? (Number.isInteger(n) ? run.jobs.find((j) => j.index === n - 1) : undefined);
  if (job === undefined)
    throw new ConfigError('INVALID', `run ${run.id} has no job '${ref}' (jobs: ${run.jobs[0]?.id ?? 'none'}..${run.jobs.at(-1)?.id ?? ''})`, {
      details: { run: run.id, job: ref },
    });
  return job;
}

/**
 * `bioimageit runs list|show`: the runs of an experiment (oldest first) with their tool, status
 * and job counts; one run in full (tool, digest, parameters, inputs, runner, host, user, times,
 * then every job with status, exit code, input and output items, SLURM job id or Docker image and
 * log files: see `printRun`); `--log JOB` prints a job's logs. The runs BioImageIT v1 wrote show
 * status `unknown (recorded by BioImageIT v1)` and none of the fields v1 never wrote.
 */
export function registerRunsCommand(program: Command, ctx: CliContext): void {
  const runs = program.command('runs').description('list and inspect runs');
  runs
    .command('list')
    .description('runs of an experiment, oldest first')
    .option('-e, --experiment <ref>', 'experiment name, path or URI')
    .option('-d, --dataset <name>', 'only runs writing into this processed dataset')
    .action(async (flags: RunsFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const list = await store.listRuns(flags.dataset);
      if (g.json) return printJson(ctx.output, list.map(shownRunRecord));
      printTable(
        ctx.output,
        ['RUN', 'DATASET', 'TOOL', 'STATUS', 'JOBS', 'START', 'USER'],
        list.map((r) => [
          r.id,
          r.dataset,
          `${r.tool.id} ${r.tool.version}`.trim(),
          runStatusText(r),
          r.recordedBy === undefined ? jobCounts(r) : '',
          r.start,
          r.user,
        ]),
      );
      ctx.output.err(`${list.length} run(s)`);
    });
  runs
    .command('show')
    .description('one run: tool, parameters, inputs, environment, and every job with its exit code and logs')
    .argument('<run>', 'run id (or a unique prefix)')
    .option('-e, --experiment <ref>', 'experiment name, path or URI')
    .option('--log <job>', "print this job's stdout and stderr (job id or number)")
    .action(async (id: string, flags: RunsFlags & { log?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const run = await findRun(store, id);
      const folder = await datasetFolder(store, run.dataset);
      if (flags.log !== undefined) return printLogs(ctx, run, findJob(run, flags.log), folder, g.json === true);
      if (g.json) return printJson(ctx.output, shownRunRecord(run));
      await printRun(ctx.output, store, run, folder);
    });
}

async function printLogs(ctx: CliContext, run: RunRecord, job: JobRecord, folder: string | undefined, json: boolean): Promise<void> {
  const read = async (relative: string | undefined): Promise<string> => {
    const path = logPath(folder, relative);
    return path === undefined ? '' : readFile(path, 'utf8').catch(() => '');
  };
  const [stdout, stderr] = await Promise.all([read(job.stdout), read(job.stderr)]);
  if (json) return printJson(ctx.output, { run: run.id, job: job.id, stdout, stderr });
  ctx.output.out(`== ${job.id} stdout${job.stdout ? ` (${logPath(folder, job.stdout)})` : ' (empty)'}\n${stdout}`);
  ctx.output.out(`== ${job.id} stderr${job.stderr ? ` (${logPath(folder, job.stderr)})` : ' (empty)'}\n${stderr}`);
}
