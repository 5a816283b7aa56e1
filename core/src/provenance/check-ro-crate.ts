import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileDigest } from './file-digest.js';
import {
  RO_CRATE_CONTEXT,
  RO_CRATE_METADATA_FILE,
  RO_CRATE_SPEC,
  WORKFLOW_RUN_CRATE_PROFILE,
  hasType,
  isReference,
  referencedIds,
  valuesOf,
  type RoCrateDocument,
  type RoCrateEntity,
  type RoCrateValue,
} from './ro-crate-types.js';

/** What checkRoCrate may additionally demand. */
export interface CheckRoCrateOptions {
  /** Item ids that must each be the `identifier` of a File in some action's `result`. */
  readonly expectedOutputs?: readonly string[];
}

const PROCESS_PROFILE_PREFIX = 'https://w3id.org/ro/wfrun/process/';
const TOOL_TYPES = ['SoftwareApplication', 'SoftwareSourceCode', 'ComputationalWorkflow'];
const AGENT_TYPES = ['Person', 'Organization'];

/** Links that may point outside the graph: the spec itself and schema.org terms (action statuses). */
/** Vocabulary terms referenced by @id that a crate need not describe (schema.org, RO terms such as DockerImage). */
function externalTerm(id: string): boolean {
  return id === RO_CRATE_SPEC || /^https?:\/\/schema\.org\//.test(id) || id.startsWith('https://w3id.org/ro/terms/');
}

function isAbsoluteUri(id: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(id);
}

/**
 * Structural check of an RO-Crate (1.1 + Process Run Crate profile, and Workflow Run Crate for a
 * pipeline) as BioImageIT writes it. Returns one line per problem, empty when the crate is sound:
 * JSON-LD context; metadata descriptor about the root and conforming to RO-Crate 1.1; root
 * Dataset with name, description, datePublished and a `license` (a described entity), conforming
 * to the Process Run Crate profile; unique ids and every link resolving inside the `@graph`;
 * every File and Dataset reachable from the root through `hasPart` (directly or through Datasets),
 * Files with size, sha256 and media type (and, when `dir` is given, every File with a relative id
 * present in `dir` with that size and sha256, every Dataset a folder there, and every file and
 * folder in `dir` described); every CreateAction mentioned by the root with an instrument (a
 * SoftwareApplication or the workflow), an agent (a Person), objects, and Files as result when it
 * completed; for a Workflow Run Crate, a `mainEntity` that is a File + ComputationalWorkflow with
 * a `programmingLanguage`, run by some CreateAction, whose steps are HowToSteps naming a tool in
 * `workExample`, and ControlActions whose instrument is a step. Meant for tests and for checking
 * a crate after writing it.
 */
export async function checkRoCrate(doc: RoCrateDocument, dir?: string, options: CheckRoCrateOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const contexts = typeof doc['@context'] === 'string' ? [doc['@context']] : Array.isArray(doc['@context']) ? doc['@context'] : [];
  if (!contexts.includes(RO_CRATE_CONTEXT)) problems.push(`@context does not include ${RO_CRATE_CONTEXT}`);
  const graph = Array.isArray(doc['@graph']) ? doc['@graph'] : [];
  if (graph.length === 0) problems.push('@graph is missing or empty');
  const byId = new Map<string, RoCrateEntity>();
  for (const entity of graph) {
    if (typeof entity['@id'] !== 'string' || entity['@type'] === undefined)
      problems.push(`entity without @id or @type: ${JSON.stringify(entity).slice(0, 80)}`);
    else if (byId.has(entity['@id'])) problems.push(`duplicate @id '${entity['@id']}'`);
    else byId.set(entity['@id'], entity);
  }
  const typed = (id: string, types: readonly string[]): boolean => {
    const e = byId.get(id);
    return e !== undefined && types.some((t) => hasType(e, t));
  };

  const descriptor = byId.get(RO_CRATE_METADATA_FILE);
  if (descriptor === undefined) problems.push(`no metadata descriptor '${RO_CRATE_METADATA_FILE}'`);
  else {
    if (!referencedIds(descriptor['about']).includes('./')) problems.push('metadata descriptor is not about the root data entity ./');
    if (!referencedIds(descriptor['conformsTo']).some((id) => id.startsWith(RO_CRATE_SPEC)))
      problems.push('metadata descriptor does not conform to RO-Crate 1.1');
  }
  const root = byId.get('./');
  if (root === undefined || !hasType(root, 'Dataset')) problems.push('no root data entity ./ of type Dataset');
  else {
    for (const key of ['name', 'description', 'datePublished']) if (typeof root[key] !== 'string') problems.push(`root data entity has no ${key}`);
    const licenses = referencedIds(root['license']);
    if (licenses.length === 0 && typeof root['license'] !== 'string')
      problems.push('root data entity has no license (RO-Crate 1.1 requires one: set "license" in the workspace config)');
    const profiles = referencedIds(root['conformsTo']).filter((id) => id.startsWith(PROCESS_PROFILE_PREFIX));
    if (profiles.length === 0) problems.push('root data entity does not conform to the Process Run Crate profile');
    for (const id of profiles) if (!typed(id, ['CreativeWork'])) problems.push(`profile ${id} is not described as a CreativeWork`);
  }

  for (const entity of graph) {
    for (const [key, value] of Object.entries(entity)) {
      if (key.startsWith('@')) continue;
      for (const id of deepReferences(value as RoCrateValue)) {
        if (!byId.has(id) && !externalTerm(id)) problems.push(`'${entity['@id']}' ${key} links to '${id}', which is not in @graph`);
      }
    }
  }

  const parts = reachableParts(root, byId);
  const mentions = new Set(referencedIds(root?.['mentions']));
  for (const file of graph.filter((e) => hasType(e, 'File'))) problems.push(...(await checkFile(file, parts, dir)));
  for (const folder of graph.filter((e) => hasType(e, 'Dataset') && e['@id'] !== './')) {
    const id = folder['@id'];
    if (!parts.has(id)) problems.push(`Dataset '${id}' is not in the root's hasPart (directly or through a Dataset)`);
    if (dir === undefined || isAbsoluteUri(id) || id.startsWith('#')) continue;
    const path = join(dir, ...id.split('/').map((part: string) => decodeURIComponent(part)));
    if (id.split('/').includes('..') || (await stat(path).catch(() => undefined))?.isDirectory() !== true)
      problems.push(`Dataset '${id}' is not a folder in the crate`);
  }
  if (dir !== undefined) problems.push(...(await undescribed(dir, byId)));
  if (root !== undefined && referencedIds(root['conformsTo']).includes(WORKFLOW_RUN_CRATE_PROFILE)) problems.push(...checkWorkflow(root, graph, byId));

  const results = new Set<string>();
  for (const action of graph.filter((e) => hasType(e, 'CreateAction'))) {
    const id = action['@id'];
    if (!mentions.has(id)) problems.push(`action '${id}' is not in the root's mentions`);
    const instruments = referencedIds(action['instrument']);
    if (instruments.length === 0 || !instruments.every((t) => typed(t, TOOL_TYPES))) problems.push(`action '${id}' has no SoftwareApplication instrument`);
    const agents = referencedIds(action['agent']);
    if (agents.length === 0 || !agents.every((t) => typed(t, AGENT_TYPES))) problems.push(`action '${id}' has no Person agent`);
    if (referencedIds(action['object']).length === 0) problems.push(`action '${id}' has no object (inputs)`);
    const status = referencedIds(action['actionStatus'])[0] ?? '';
    const result = referencedIds(action['result']);
    if (status.endsWith('CompletedActionStatus') && result.length === 0) problems.push(`action '${id}' has no result (outputs)`);
    for (const r of result) {
      if (!typed(r, ['File'])) problems.push(`action '${id}' result '${r}' is not a File`);
      const identifier = byId.get(r)?.['identifier'];
      if (typeof identifier === 'string') results.add(identifier);
    }
  }
  for (const itemId of options.expectedOutputs ?? []) {
    if (!results.has(itemId)) problems.push(`output item ${itemId} is not the result of any action`);
  }
  return problems;
}

/** Ids the root reaches through `hasPart`, directly or through the Datasets it reaches. */
function reachableParts(root: RoCrateEntity | undefined, byId: ReadonlyMap<string, RoCrateEntity>): Set<string> {
  const reached = new Set<string>();
  const queue = referencedIds(root?.['hasPart']);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (reached.has(id)) continue;
    reached.add(id);
    const entity = byId.get(id);
    if (entity !== undefined && hasType(entity, 'Dataset')) queue.push(...referencedIds(entity['hasPart']));
  }
  return reached;
}

/** Files and folders in the crate folder that no File or Dataset entity describes. */
async function undescribed(dir: string, byId: ReadonlyMap<string, RoCrateEntity>): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const problems: string[] = [];
  for (const entry of entries) {
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep);
    const id = path.map((s) => encodeURIComponent(s)).join('/') + (entry.isDirectory() ? '/' : '');
    if (id === RO_CRATE_METADATA_FILE) continue;
    const entity = byId.get(id);
    const type = entry.isDirectory() ? 'Dataset' : 'File';
    if (entity === undefined || !hasType(entity, type))
      problems.push(`${entry.isDirectory() ? 'folder' : 'file'} '${id}' in the crate folder is not described by a ${type}`);
  }
  return problems;
}

/** Workflow Run Crate and Provenance Run Crate structure: main workflow, its steps, the actions that ran them. */
function checkWorkflow(root: RoCrateEntity, graph: readonly RoCrateEntity[], byId: ReadonlyMap<string, RoCrateEntity>): string[] {
  const problems: string[] = [];
  const mainId = referencedIds(root['mainEntity'])[0];
  const main = mainId === undefined ? undefined : byId.get(mainId);
  if (main === undefined || !hasType(main, 'File') || !hasType(main, 'ComputationalWorkflow'))
    return ['Workflow Run Crate without a mainEntity that is a File and a ComputationalWorkflow'];
  const language = referencedIds(main['programmingLanguage'])[0];
  if (language === undefined || !hasType(byId.get(language) ?? { '@id': '', '@type': [] }, 'ComputerLanguage'))
    problems.push(`workflow '${main['@id']}' has no programmingLanguage (a ComputerLanguage)`);
  const actions = graph.filter((e) => hasType(e, 'CreateAction'));
  if (!actions.some((a) => referencedIds(a['instrument']).includes(main['@id'])))
    problems.push(`no CreateAction has the workflow '${main['@id']}' as instrument`);
  const steps = referencedIds(main['step']);
  for (const stepId of steps) {
    const step = byId.get(stepId);
    if (step === undefined || !hasType(step, 'HowToStep')) problems.push(`workflow step '${stepId}' is not a HowToStep`);
    else if (referencedIds(step['workExample']).length === 0) problems.push(`step '${stepId}' names no tool (workExample)`);
  }
  for (const control of graph.filter((e) => hasType(e, 'ControlAction'))) {
    if (!referencedIds(control['instrument']).every((id) => steps.includes(id)))
      problems.push(`ControlAction '${control['@id']}' does not run a step of the workflow`);
    for (const id of referencedIds(control['object']))
      if (!hasType(byId.get(id) ?? { '@id': '', '@type': [] }, 'CreateAction'))
        problems.push(`ControlAction '${control['@id']}' object '${id}' is not a CreateAction`);
  }
  return problems;
}

function deepReferences(value: RoCrateValue | undefined): string[] {
  return valuesOf(value).flatMap((v) => (isReference(v) ? [v['@id']] : Array.isArray(v) ? deepReferences(v as RoCrateValue) : []));
}

async function checkFile(file: RoCrateEntity, parts: ReadonlySet<string>, dir: string | undefined): Promise<string[]> {
  const id = file['@id'];
  const problems: string[] = [];
  if (!parts.has(id)) problems.push(`File '${id}' is not in the root's hasPart (directly or through a Dataset)`);
  const size = file['contentSize'];
  const sha256 = file['sha256'];
  if (typeof size !== 'string' && typeof size !== 'number') problems.push(`File '${id}' has no contentSize`);
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) problems.push(`File '${id}' has no sha256`);
  if (typeof file['encodingFormat'] !== 'string') problems.push(`File '${id}' has no encodingFormat`);
  if (dir === undefined || isAbsoluteUri(id)) return problems;
  const segments = id.split('/').map((s) => decodeURIComponent(s));
  if (segments.some((s) => s === '..' || s === '')) return [...problems, `File '${id}' leaves the crate folder`];
  const path = join(dir, ...segments);
  try {
    if (!(await stat(path)).isFile()) return [...problems, `File '${id}' is not a file in the crate`];
    const actual = await fileDigest(path);
    if (String(actual.size) !== String(size)) problems.push(`File '${id}' has ${actual.size} bytes, the crate records ${String(size)}`);
    if (actual.sha256 !== sha256) problems.push(`File '${id}' has sha256 ${actual.sha256}, the crate records ${String(sha256)}`);
  } catch {
    problems.push(`File '${id}' is missing from the crate folder`);
  }
  return problems;
}
