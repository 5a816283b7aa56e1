import { basename, isAbsolute } from 'node:path';
import type { ExperimentCheckReport, ExperimentProblem, ExperimentRepair } from '@bioimageit/core';
import type { ApiRoute } from '../http/api-route.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

const experimentParam = { experiment: 'experiment id (from GET /api/experiments)' };
const error = (description: string) => ({ description, schema: ref('Error') });

interface CheckBody {
  readonly repair?: boolean;
  readonly deep?: boolean;
}

/** The integrity check of an experiment (`bioimageit experiment check`), with its safe repair. */
export function checkRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/api/experiments/{experiment}/check',
      operationId: 'checkExperiment',
      summary: 'Check an experiment: data files missing or changed, files no metadata names, index drift, duplicate entries, runs without status or missing',
      description:
        'Answers 200 with the report whether or not problems were found (`healthy` says). With `repair`, fixes what is safe and ' +
        'reports what it did and what remains; data files are never deleted. With `deep`, every data file is read and hashed: ' +
        'this can take as long as reading the whole experiment. Send `{}` for a plain check. An experiment whose storage backend ' +
        'cannot check itself answers an error with code `UNSUPPORTED`.',
      tag: 'experiments',
      pathParameters: experimentParam,
      body: ref('ExperimentCheck'),
      responses: {
        200: { description: 'the report', schema: ref('ExperimentCheckReport') },
        404: error('no such experiment'),
      },
      handle: async ({ params, body }) => {
        const id = params['experiment'] as string;
        const store = await ctx.catalog.open(id);
        const { repair = false, deep = false } = body as CheckBody;
        const report = await ctx.kernel.checkExperiment(store, { repair, deep });
        return { json: ctx.catalog.redactor.redactValue(checkReportView(report, id)) };
      },
    },
  ];
}

/** The API form of a report: the experiment by id, files outside the experiment by name only (no server paths), and `healthy`. */
export function checkReportView(report: ExperimentCheckReport, experimentId: string): unknown {
  const shown = <T extends ExperimentProblem | ExperimentRepair>(entry: T): T => (isAbsolute(entry.file) ? { ...entry, file: basename(entry.file) } : entry);
  return {
    experiment: experimentId,
    healthy: report.remaining.length === 0,
    deep: report.deep,
    checked: report.checked,
    problems: report.problems.map(shown),
    repairs: report.repairs.map(shown),
    remaining: report.remaining.map(shown),
  };
}
