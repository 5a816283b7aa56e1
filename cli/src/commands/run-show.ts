import { runItems, type DataItem, type ExperimentStore, type JobRecord, type RunOutput, type RunRecord } from '@bioimageit/core';
import { printTable, type Output } from '../output.js';
import { jobCounts, logPath, runStatusText } from './run-report.js';

/** Items of a reduce job's input shown before the rest is counted. */
const SHOWN_GROUP_ITEMS = 3;

/**
 * Prints one run for `bioimageit runs show`: its facts (fields nobody recorded are left out, as
 * for the runs BioImageIT v1 wrote: no digest, runner, user or times), then one row per job with
 * the input items it processed, its outputs (data files that do not exist marked `missing`) and
 * the SLURM job id or Docker image that ran it; a v1 run, which has no jobs, lists its outputs
 * with their inputs instead. Outputs are in input order, not in the order jobs finished.
 */
export async function printRun(output: Output, store: ExperimentStore, run: RunRecord, folder: string | undefined): Promise<void> {
  const { byId, outputs } = await runItems(store, run);
  const missing = outputs.filter((o) => o.missing === true).length;
  const v1 = run.recordedBy === 'bioimageit-v1';
  const present = (text: string | undefined): text is string => text !== undefined && text !== '';
  const source = [present(run.tool.digest) ? `digest ${run.tool.digest.slice(0, 12)}` : '', run.tool.source].filter(present).join(', ');
  const runner = `${run.runner}${present(run.host) ? ` on ${run.host}` : ''}${present(run.user) ? `, user ${run.user}` : ''}`;
  const image = sharedImage(run.jobs);
  const lines = [
    `run:        ${run.id}`,
    `status:     ${runStatusText(run)}${v1 ? '' : ` (${jobCounts(run)})`}`,
    `tool:       ${`${run.tool.id} ${run.tool.version}`.trim()}${source === '' ? '' : ` (${source})`}`,
    `dataset:    ${run.dataset}`,
    `parameters: ${run.parameters.map((p) => `${p.name}=${p.value}`).join(' ') || '(none)'}`,
    ...run.inputs.map(
      (i) => `input:      ${i.name} = ${i.dataset}${i.query ? `:'${i.query}'` : ''}${i.originOutputName ? ` (output ${i.originOutputName})` : ''}`,
    ),
    ...(run.matchBy !== undefined ? [`matched by: ${run.matchBy === 'position' ? 'position' : run.matchBy.join(', ')}`] : []),
    ...(run.groupBy !== undefined ? [`grouped by: ${run.groupBy.join(', ')}`] : []),
    ...(present(run.runner) ? [`runner:     ${runner}`] : []),
    ...(image !== undefined ? [`image:      ${image}`] : []),
    ...(present(run.start) ? [`time:       ${run.start} .. ${run.end ?? '(not finished)'}`] : []),
    `outputs:    ${outputs.length} item(s)${missing > 0 ? `, ${missing} missing (data file never written or removed)` : ''}`,
  ];
  output.out(lines.join('\n'));
  if (v1) return printV1Outputs(output, outputs, byId);
  const made = new Map<string, RunOutput[]>();
  for (const o of outputs) if (o.jobId !== undefined) made.set(o.jobId, [...(made.get(o.jobId) ?? []), o]);
  const withEngine = run.jobs.some((j) => engineOf(j) !== '');
  const rows = [...run.jobs]
    .sort((a, b) => a.index - b.index)
    .map((j) => [
      j.id,
      j.cachedFrom ? `cached (${j.cachedFrom.runId.slice(0, 8)}/${j.cachedFrom.jobId})` : j.status,
      j.exitCode === undefined || j.exitCode === null ? (j.signal ?? '') : String(j.exitCode),
      jobInputs(j, byId),
      outputNames(made.get(j.id) ?? [], j.outputs.length),
      ...(withEngine ? [engineOf(j)] : []),
      logPath(folder, j.stdout) ?? '',
      logPath(folder, j.stderr) ?? '',
      j.error ?? '',
    ]);
  printTable(output, ['JOB', 'STATUS', 'EXIT', 'INPUTS', 'OUTPUTS', ...(withEngine ? ['ENGINE'] : []), 'STDOUT', 'STDERR', 'ERROR'], rows);
}

/** A v1 run's outputs with the items they were made from; data files never written are marked. */
function printV1Outputs(output: Output, outputs: readonly RunOutput[], byId: ReadonlyMap<string, DataItem>): void {
  if (outputs.length === 0) return;
  printTable(
    output,
    ['OUTPUT', 'INPUTS', 'DATA'],
    outputs.map((o) => [o.item.name, o.inputs.map((i) => `${i.name}=${byId.get(i.id)?.name ?? `${i.id} (gone)`}`).join(' '), o.missing ? 'missing' : 'ok']),
  );
}

/** `i=population1_001.tif`; a reduce job's group as its first items and a count. */
function jobInputs(job: JobRecord, byId: ReadonlyMap<string, DataItem>): string {
  return Object.entries(job.inputs)
    .map(([name, ids]) => {
      const names = ids.slice(0, SHOWN_GROUP_ITEMS).map((id) => byId.get(id)?.name ?? id);
      return `${name}=${names.join(',')}${ids.length > SHOWN_GROUP_ITEMS ? `,... (${ids.length} items)` : ''}`;
    })
    .join(' ');
}

/** Output item names, each `(missing)` when its data file does not exist. */
function outputNames(outputs: readonly RunOutput[], recorded: number): string {
  if (outputs.length === 0) return recorded === 0 ? '' : `${recorded} (gone)`;
  return outputs.map((o) => `${o.item.name}${o.missing ? ' (missing)' : ''}`).join(',');
}

/** The engine's own id of a job: `slurm 12345_7` (SLURM job id) or `docker sha256:0123456789ab` (image id). */
function engineOf(job: JobRecord): string {
  const env = job.environment ?? {};
  const text = (key: string): string | undefined => (typeof env[key] === 'string' && env[key] !== '' ? env[key] : undefined);
  const slurm = text('slurmJobId');
  if (slurm !== undefined) return `slurm ${slurm}`;
  const image = text('imageId');
  return image === undefined ? '' : `docker ${shortImageId(image)}`;
}

/** The image every Docker job of the run ran in, `reference (id)`, when they share one. */
function sharedImage(jobs: readonly JobRecord[]): string | undefined {
  const images = new Set(
    jobs.flatMap((j) => {
      const env = j.environment ?? {};
      return typeof env['imageId'] === 'string' ? [`${typeof env['image'] === 'string' ? `${env['image']} ` : ''}(${env['imageId']})`] : [];
    }),
  );
  return images.size === 1 ? [...images][0] : undefined;
}

function shortImageId(id: string): string {
  const match = /^(sha256:)?([0-9a-f]{12})[0-9a-f]*$/.exec(id);
  return match === null ? id : `${match[1] ?? ''}${match[2] ?? ''}`;
}
