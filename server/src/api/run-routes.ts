import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runItems, shownRunRecord, StorageError, type ExperimentStore, type RunRecord } from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import type { ApiRoute } from '../http/api-route.js';
import type { LiveRun } from '../runs/run-events.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

const experimentParam = { experiment: 'experiment id (from GET /api/experiments)' };
const runParams = { ...experimentParam, run: 'run id' };
const error = (description: string) => ({ description, schema: ref('Error') });

interface RunStartBody {
  readonly tool: string;
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  readonly inputs: readonly { readonly name: string; readonly dataset?: string; readonly query?: string; readonly broadcast?: boolean }[];
  readonly outputDataset: string;
  readonly matchBy?: readonly string[] | 'position';
  readonly groupBy?: readonly string[];
  readonly orderBy?: readonly string[];
  readonly jobs?: number;
  readonly cache?: boolean;
  readonly runner?: string;
  readonly runnerOptions?: Readonly<Record<string, string | number | boolean>>;
}

/** Runs: start one, list an experiment's runs, one run with its jobs, cancel, and a job's log. */
export function runRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/api/experiments/{experiment}/runs',
      operationId: 'startRun',
      summary: "Start a tool over the items the inputs' queries select; answers once the run has started",
      description:
        'Bad parameters, queries or pairings answer 400 before anything runs; a pairing that plans no job answers 422 with the items it left out (`details.unmatched`). ' +
        '`runner` names the runner of every job (as `bioimageit run --runner`): one of the runners the kernel has (`local`, and those of the configured plugins: ' +
        '`docker`, `slurm`, `conda`...); an unknown one answers 400 listing them, one whose plugin cannot start here (no daemon, no SLURM) 503. ' +
        "Without it the tool's requirements choose, else `local`. " +
        '`runnerOptions` sets options of that runner for this run only (`{"partition": "gpu", "time": "00:10:00"}`, as `--runner-option`): ' +
        "GET /api/runners lists each runner's options with their types and defaults; an option the runner does not take, or a value of the wrong type, answers 400 naming it, before anything runs. " +
        'The run record keeps the options it set (`runnerOptions`). Follow the run with GET /api/events.',
      tag: 'runs',
      pathParameters: experimentParam,
      body: ref('RunStart'),
      responses: {
        202: { description: 'the run started', schema: ref('LiveRun') },
        400: error('malformed body, bad parameters or queries, an unknown runner, or a runner option it does not take'),
        404: error('no such experiment or tool'),
        422: error('the pairing or grouping plans no job (NOTHING_TO_RUN)'),
        503: error('the runner asked for cannot start on this server'),
      },
      handle: async ({ params, body }) => {
        const id = params['experiment'] as string;
        const store = await ctx.catalog.open(id);
        const request = body as RunStartBody;
        const tool = await ctx.kernel.tools().getTool(request.tool);
        const started = await ctx.runs.start(id, store, tool, {
          inputs: request.inputs,
          outputDataset: request.outputDataset,
          ...(request.params !== undefined && { params: request.params }),
          ...(request.matchBy !== undefined && { matchBy: request.matchBy }),
          ...(request.groupBy !== undefined && { groupBy: request.groupBy }),
          ...(request.orderBy !== undefined && { orderBy: request.orderBy }),
          ...(request.jobs !== undefined && { jobs: request.jobs }),
          ...(request.cache !== undefined && { cache: request.cache }),
          ...(request.runner !== undefined && { runner: request.runner }),
          ...(request.runnerOptions !== undefined && { runnerOptions: request.runnerOptions }),
        });
        return { status: 202, json: ctx.runs.get(started.runId) };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/runs',
      operationId: 'listRuns',
      summary: 'Runs of an experiment, oldest first, with live progress for runs this server started',
      tag: 'runs',
      pathParameters: experimentParam,
      responses: { 200: { description: 'runs', schema: { type: 'array', items: ref('RunSummary') } }, 404: error('no such experiment') },
      handle: async ({ params }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        return { json: (await store.listRuns()).map((r) => runSummary(r, ctx.runs.get(r.id))) };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/runs/{run}',
      operationId: 'getRun',
      summary: 'One run: its stored record (tool, parameters, inputs, environment, jobs), its outputs in input order, and live progress',
      description:
        'A run BioImageIT v1 wrote has status `unknown` and `recordedBy: bioimageit-v1`, no jobs, and none of the fields v1 never wrote (tool digest, runner, host, user, start). `outputs` lists the items the run made in the order of their inputs, `missing` when the data file was never written or is gone; `itemNames` names every item a job used or made.',
      tag: 'runs',
      pathParameters: runParams,
      responses: { 200: { description: 'the run', schema: ref('Run') }, 404: error('no such experiment or run') },
      handle: async ({ params }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        const record = await findRun(store, params['run'] as string);
        const live = ctx.runs.get(record.id);
        const { byId, outputs } = await runItems(store, record);
        const used = new Set(record.jobs.flatMap((j) => [...Object.values(j.inputs).flat(), ...j.outputs]));
        for (const o of outputs) for (const i of o.inputs) used.add(i.id);
        const itemNames = Object.fromEntries([...used].flatMap((id) => (byId.has(id) ? [[id, byId.get(id)?.name as string]] : [])));
        return {
          json: {
            record: shownRunRecord(record),
            ...(live !== undefined && { live }),
            outputs: outputs.map((o) => ({
              id: o.item.id,
              name: o.item.name,
              ...(o.jobId !== undefined && { job: o.jobId }),
              inputs: o.inputs.map((i) => ({ name: i.name, id: i.id })),
              ...(o.missing === true && { missing: true }),
            })),
            itemNames,
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/experiments/{experiment}/runs/{run}/cancel',
      operationId: 'cancelRun',
      summary: 'Cancel a running run started by this server',
      tag: 'runs',
      pathParameters: runParams,
      responses: { 202: { description: 'cancelling', schema: ref('LiveRun') }, 404: error('no such experiment or run'), 409: error('the run is not running') },
      handle: async ({ params }) => {
        await ctx.catalog.open(params['experiment'] as string);
        return { status: 202, json: ctx.runs.cancel(params['run'] as string) };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/runs/{run}/jobs/{job}/log',
      operationId: 'getJobLog',
      summary: 'The standard output or error of one job, as kept with the run',
      tag: 'runs',
      pathParameters: { ...runParams, job: 'job id (`job-0001`)' },
      query: [{ name: 'stream', schema: { enum: ['stdout', 'stderr'], default: 'stdout' }, description: 'which stream' }],
      responses: {
        200: { description: 'the log text', contentType: 'text/plain' },
        403: error('the recorded log path leaves the dataset folder'),
        404: error('no such experiment, run, job or log'),
      },
      handle: async ({ params, query }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        const record = await findRun(store, params['run'] as string);
        const job = record.jobs.find((j) => j.id === params['job']);
        if (job === undefined)
          throw new ApiError('NOT_FOUND', `run ${record.id} has no job '${params['job']}' (jobs: ${record.jobs.map((j) => j.id).join(', ') || 'none'})`, {
            details: { run: record.id, job: params['job'] },
          });
        const stream = query['stream'] as 'stdout' | 'stderr';
        const logged = job[stream];
        if (logged === undefined)
          throw new ApiError('NOT_FOUND', `job ${job.id} of run ${record.id} kept no ${stream} log`, { details: { run: record.id, job: job.id, stream } });
        const path = await logFile(store, record.dataset, logged);
        const text = await readFile(path).catch((e: NodeJS.ErrnoException) => {
          throw new ApiError('NOT_FOUND', `the ${stream} log of job ${job.id} is missing (${e.code ?? 'unreadable'})`, {
            details: { run: record.id, job: job.id, stream },
          });
        });
        return { bytes: text, contentType: 'text/plain; charset=utf-8' };
      },
    },
  ];
}

/** A run by exact id; NOT_FOUND otherwise. */
async function findRun(store: ExperimentStore, id: string): Promise<RunRecord> {
  const run = (await store.listRuns()).find((r) => r.id === id);
  if (run === undefined) throw new StorageError('NOT_FOUND', `no run '${id}' in experiment ${(await store.info()).name}`, { details: { run: id } });
  return run;
}

/**
 * The absolute path of a log recorded relative to its processed dataset folder. A recorded path
 * that leaves the folder (`../../etc/passwd`, an absolute path elsewhere) is FORBIDDEN: records are
 * files anyone with access to the experiment can edit.
 */
async function logFile(store: ExperimentStore, dataset: string, logged: string): Promise<string> {
  const info = (await store.listDatasets()).find((d) => d.name === dataset);
  if (info === undefined || !info.uri.startsWith('file:'))
    throw new ApiError('NOT_FOUND', `dataset '${dataset}' has no local folder for logs`, { details: { dataset } });
  const file = fileURLToPath(info.uri);
  const folder = file.endsWith('.json') ? dirname(file) : file;
  const path = isAbsolute(logged) ? logged : resolve(folder, logged);
  const inside = relative(folder, path);
  if (inside === '' || inside.startsWith('..' + sep) || inside === '..' || isAbsolute(inside)) {
    throw new ApiError('FORBIDDEN', `log path '${logged}' of dataset '${dataset}' leaves the dataset folder`, { details: { dataset, log: logged } });
  }
  return path;
}

function runSummary(record: RunRecord, live: LiveRun | undefined) {
  const count = (status: string) => record.jobs.filter((j) => j.status === status).length;
  return {
    id: record.id,
    dataset: record.dataset,
    tool: { id: record.tool.id, name: record.tool.name, version: record.tool.version },
    status: live?.status ?? record.status,
    ...(record.recordedBy !== undefined && { recordedBy: record.recordedBy }),
    ...(record.start !== '' && { start: record.start }),
    ...(record.end !== undefined && { end: record.end }),
    ...(record.user !== '' && { user: record.user }),
    jobs: { total: record.jobs.length, succeeded: count('succeeded'), failed: count('failed'), cached: count('cached'), cancelled: count('cancelled') },
    ...(live !== undefined && { live }),
  };
}
