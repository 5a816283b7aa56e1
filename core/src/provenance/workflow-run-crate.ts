import { basename } from 'node:path';
import type { PipelineStep } from '../engine/pipeline-definition.js';
import type { RunRecord } from '../model/run.js';
import type { CrateTool, CrateCopy } from './crate-tool.js';
import { fileDigest } from './file-digest.js';
import type { ProvenanceActivity } from './provenance-snapshot.js';
import type { CratePipeline, RoCrateEntity, RoCrateReference } from './ro-crate-types.js';

const ref = (id: string): RoCrateReference => ({ '@id': id });
const seg = (s: string): string => encodeURIComponent(s);

/** The contextual entity of the language pipeline files are written in. */
export const PIPELINE_LANGUAGE_ID = '#bioimageit-pipeline-language';

/** True when `run` is a run of `step`: it wrote the step's output dataset with the step's tool (by id or v1 key). */
function runOfStep(run: RunRecord, step: PipelineStep): boolean {
  return run.dataset === step.outputDataset && (run.tool.id === step.tool || `${run.tool.id}_v${run.tool.version}` === step.tool);
}

/**
 * The run of each step of `pipeline` among `runs`: the latest (by start, then by position in
 * `runs`) that wrote the step's output dataset with the step's tool. Steps that never ran are absent.
 */
export function pipelineStepRuns(pipeline: CratePipeline, runs: readonly RunRecord[]): Map<string, RunRecord> {
  const chosen = new Map<string, RunRecord>();
  for (const step of pipeline.definition.steps) {
    const candidates = runs.filter((r) => runOfStep(r, step));
    const latest = candidates.reduce<RunRecord | undefined>((best, r) => (best === undefined || r.start >= best.start ? r : best), undefined);
    if (latest !== undefined) chosen.set(step.name, latest);
  }
  return chosen;
}

/** What a pipeline adds to a crate. */
export interface WorkflowRunEntities {
  /** The workflow File (the crate's `mainEntity`). */
  readonly workflowId: string;
  readonly entities: readonly RoCrateEntity[];
  readonly copy: CrateCopy;
  /** Actions for the root's `mentions`: the workflow's CreateAction, the OrganizeAction, the ControlActions. */
  readonly actions: readonly string[];
}

/** What the workflow entities link to, from the crate being assembled. */
export interface WorkflowLinks {
  readonly stepRuns: ReadonlyMap<string, RunRecord>;
  readonly activities: readonly ProvenanceActivity[];
  readonly actionId: (a: ProvenanceActivity) => string;
  /** The tool entity of each exported run, by run id. */
  readonly tools: ReadonlyMap<string, CrateTool>;
  /** The crate File id of an item (absent when the item is not in the crate). */
  readonly fileOf: (itemId: string) => string | undefined;
  readonly agent: RoCrateReference;
  /** Names already used at the crate root (data and tool folders). */
  readonly takenNames: ReadonlySet<string>;
}

const statusOf = (statuses: readonly string[]): string | undefined =>
  statuses.some((s) => s === 'failed' || s === 'cancelled' || s === 'partial')
    ? 'http://schema.org/FailedActionStatus'
    : statuses.some((s) => s === 'running')
      ? 'http://schema.org/ActiveActionStatus'
      : statuses.length > 0 && statuses.every((s) => s === 'succeeded' || s === 'cached')
        ? 'http://schema.org/CompletedActionStatus'
        : undefined;

/**
 * The Workflow Run Crate (0.5) and Provenance Run Crate (0.5) entities of one pipeline run:
 * - the pipeline file, copied to the crate root, as a `File` + `SoftwareSourceCode` +
 *   `ComputationalWorkflow` (the crate's `mainEntity`) with its `programmingLanguage` (a
 *   ComputerLanguage), its tools in `hasPart` and one `HowToStep` per step (`position`,
 *   `workExample` = the step's tool);
 * - a `CreateAction` of the workflow (`instrument` = the workflow, `object` = the data the
 *   pipeline read from outside itself, `result` = the outputs no later step read, times spanning
 *   the steps' runs, status from them);
 * - per step that ran, a `ControlAction` (`instrument` = its HowToStep, `object` = the step's
 *   job CreateActions), and an `OrganizeAction` of BioImageIT's engine orchestrating them
 *   (`result` = the workflow's CreateAction).
 * Steps that never ran keep their HowToStep; their tool is a SoftwareApplication named by the id
 * the pipeline gives.
 */
export async function workflowRunEntities(pipeline: CratePipeline, links: WorkflowLinks): Promise<WorkflowRunEntities> {
  const { definition } = pipeline;
  const name = basename(pipeline.file);
  const fileName = links.takenNames.has(name.toLowerCase()) ? `workflow-${name}` : name;
  const workflowId = seg(fileName);
  const digest = await fileDigest(pipeline.file);
  const entities: RoCrateEntity[] = [];
  const stepIds: string[] = [];
  const toolIds = new Set<string>();
  const controls: string[] = [];
  const stepActions: ProvenanceActivity[] = [];
  const runs = [...links.stepRuns.values()];
  const first = runs.reduce<RunRecord | undefined>((a, r) => (a === undefined || r.start < a.start ? r : a), undefined);
  const runKey = `#pipeline-run/${seg(definition.name)}/${seg(first?.id ?? 'none')}`;
  definition.steps.forEach((step, index) => {
    const run = links.stepRuns.get(step.name);
    const stepId = `#step/${seg(step.name)}`;
    stepIds.push(stepId);
    let toolId = run === undefined ? undefined : links.tools.get(run.id)?.id;
    if (toolId === undefined) {
      toolId = `#pipeline-tool/${seg(step.tool)}`;
      entities.push({ '@id': toolId, '@type': 'SoftwareApplication', name: step.tool, description: `Tool of step '${step.name}', which did not run.` });
    }
    toolIds.add(toolId);
    entities.push({
      '@id': stepId,
      '@type': 'HowToStep',
      name: step.name,
      position: String(index + 1),
      workExample: ref(toolId),
      description: `Runs ${step.tool} into the dataset '${step.outputDataset}'.`,
    });
    if (run === undefined) return;
    const jobs = links.activities.filter((a) => a.run.id === run.id);
    stepActions.push(...jobs);
    const controlId = `${runKey}/step/${seg(step.name)}`;
    controls.push(controlId);
    const status = statusOf([run.status]);
    entities.push({
      '@id': controlId,
      '@type': 'ControlAction',
      name: `Orchestrate step ${step.name} (run ${run.id})`,
      instrument: ref(stepId),
      object: jobs.map((a) => ref(links.actionId(a))),
      ...(run.start !== '' && { startTime: run.start }),
      ...(run.end !== undefined && run.end !== '' && { endTime: run.end }),
      ...(status !== undefined && { actionStatus: ref(status) }),
    });
  });
  const produced = new Set(stepActions.flatMap((a) => a.outputs));
  const consumed = new Set(stepActions.flatMap((a) => a.inputs.map((i) => i.id)));
  const files = (ids: Iterable<string>): RoCrateReference[] =>
    [...new Set(ids)].flatMap((id) => (links.fileOf(id) === undefined ? [] : [ref(links.fileOf(id) as string)]));
  const ends = runs.map((r) => r.end).filter((e): e is string => e !== undefined && e !== '');
  const end = ends.length === runs.length && ends.length > 0 ? ends.reduce((a, b) => (a > b ? a : b)) : undefined;
  const status = statusOf([...runs.map((r) => r.status), ...(links.stepRuns.size < definition.steps.length ? ['failed'] : [])]);
  const times = { ...(first !== undefined && first.start !== '' && { startTime: first.start }), ...(end !== undefined && { endTime: end }) };
  const core = first?.software?.['@bioimageit/core'];
  entities.push(
    {
      '@id': workflowId,
      '@type': ['File', 'SoftwareSourceCode', 'ComputationalWorkflow'],
      name: definition.name,
      description: `BioImageIT pipeline '${definition.name}' (${definition.steps.length} step(s)), as run.`,
      programmingLanguage: ref(PIPELINE_LANGUAGE_ID),
      encodingFormat: 'application/json',
      contentSize: String(digest.size),
      sha256: digest.sha256,
      hasPart: [...toolIds].map(ref),
      step: stepIds.map(ref),
    },
    {
      '@id': PIPELINE_LANGUAGE_ID,
      '@type': 'ComputerLanguage',
      name: 'BioImageIT pipeline',
      alternateName: 'BioImageIT pipeline JSON',
      description: 'JSON pipeline files of BioImageIT: named steps, each running one tool over a dataset or an earlier step, with its parameters.',
    },
    {
      '@id': runKey,
      '@type': 'CreateAction',
      name: `Run of pipeline ${definition.name}`,
      description: `BioImageIT ran the pipeline '${definition.name}': ${links.stepRuns.size} of ${definition.steps.length} step(s) ran.`,
      instrument: ref(workflowId),
      agent: links.agent,
      object: files([...consumed].filter((id) => !produced.has(id))),
      result: files([...produced].filter((id) => !consumed.has(id))),
      ...times,
      ...(status !== undefined && { actionStatus: ref(status) }),
    },
    {
      '@id': `${runKey}/engine`,
      '@type': 'OrganizeAction',
      name: `BioImageIT orchestrating pipeline ${definition.name}`,
      instrument: ref('#software/bioimageit'),
      agent: links.agent,
      object: controls.map(ref),
      result: ref(runKey),
      ...times,
    },
    {
      '@id': '#software/bioimageit',
      '@type': 'SoftwareApplication',
      name: 'BioImageIT (TypeScript)',
      description: 'The BioImageIT job engine that ran the pipeline (package @bioimageit/core).',
      ...(core !== undefined && { version: core, softwareVersion: core }),
    },
  );
  return { workflowId, entities, copy: { relativePath: fileName, sourcePath: pipeline.file }, actions: [runKey, `${runKey}/engine`, ...controls] };
}
