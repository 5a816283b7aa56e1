import { copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { orcidUrl } from '../config/parse-orcid.js';
import { StorageError } from '../errors/area-errors.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import { ioFailure } from '../formats/format-failure.js';
import type { DataItem } from '../model/data-item.js';
import type { RunRecord } from '../model/run.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { condaEnvironment, containerImage } from './crate-environment.js';
import { planCrateFiles, type CrateFile } from './crate-files.js';
import { licenseEntity } from './crate-license.js';
import { toolEntities, toolId, type CrateCopy, type CrateTool } from './crate-tool.js';
import { activityUser, involvedItems, loadProvenance, present, type ProvenanceActivity } from './provenance-snapshot.js';
import {
  PROCESS_RUN_CRATE_PROFILE,
  PROVENANCE_RUN_CRATE_PROFILE,
  RO_CRATE_CONTEXT,
  RO_CRATE_METADATA_FILE,
  RO_CRATE_SPEC,
  WORKFLOW_RO_CRATE_PROFILE,
  WORKFLOW_RUN_CONTEXT,
  WORKFLOW_RUN_CRATE_PROFILE,
  type CrateAuthor,
  type RoCrateDocument,
  type RoCrateEntity,
  type RoCrateOptions,
  type RoCrateReference,
} from './ro-crate-types.js';
import { pipelineStepRuns, workflowRunEntities } from './workflow-run-crate.js';

const ref = (id: string): RoCrateReference => ({ '@id': id });
const seg = (s: string): string => encodeURIComponent(s);

/** Stable local ids of contextual entities (fragment identifiers built from run/job/tool ids). */
export const crateIds = {
  action: (a: ProvenanceActivity): string => `#run/${seg(a.run.id)}/job/${seg(a.jobId)}`,
  parameter: (run: RunRecord, name: string): string => `#run/${seg(run.id)}/parameter/${seg(name)}`,
  tool: toolId,
  person: (user: string): string => `#person/${seg(user)}`,
  tag: (key: string, value: string): string => `#tag/${seg(key)}/${seg(value)}`,
};

/** The profiles a crate conforms to, with the name and version each is described by. */
const PROFILES: Readonly<Record<string, readonly [string, string]>> = {
  [PROCESS_RUN_CRATE_PROFILE]: ['Process Run Crate', '0.5'],
  [WORKFLOW_RUN_CRATE_PROFILE]: ['Workflow Run Crate', '0.5'],
  [PROVENANCE_RUN_CRATE_PROFILE]: ['Provenance Run Crate', '0.5'],
  [WORKFLOW_RO_CRATE_PROFILE]: ['Workflow RO-Crate', '1.0'],
};

/**
 * Builds an RO-Crate 1.1 metadata document for the selected runs of an experiment, following the
 * Process Run Crate profile 0.5 (and, for a pipeline, Workflow Run Crate 0.5, Provenance Run
 * Crate 0.5 and Workflow RO-Crate 1.0: see {@link workflowRunEntities}); the root's `conformsTo`
 * names each profile, each described as a CreativeWork with its version:
 * - the root Dataset has `name`, `description`, `datePublished`, `license` (the licence entity
 *   of `options.license`: `https://spdx.org/licenses/<id>` for an SPDX id), `author` (the
 *   exporting Person of `options.author`, by ORCID URL when given, else the experiment's author);
 * - one `CreateAction` per job (per output item for v1 runs, which record no jobs) with
 *   `instrument` (the tool as a SoftwareApplication: see {@link toolEntities}; `identifier` = tool
 *   digest), `object` (input Files, then the run's parameters as PropertyValues), `result`
 *   (output Files), `agent` (a Person: the run's user — the ORCID Person when it is the
 *   author's name), `startTime`/`endTime` when recorded, `actionStatus` and `error`, and
 *   `containerImage` (a ContainerImage: name, tag, sha256, registry digests) for a job whose
 *   runner recorded an image; a job of the conda runner gets its locked environment as a second
 *   `instrument` (a SoftwareApplication listing the packages in `hasPart`);
 * - a v1 (reconstructed) action has no `actionStatus`: v1 recorded none, and registers outputs
 *   even of failed tools, so schema.org's statuses (Completed, Failed, Active, Potential — the
 *   last for actions not yet done) would each claim what nobody knows; its description says so;
 * - a `cached` job is a completed action whose `result` lists the outputs it reused from the
 *   earlier job (said in its description; nothing was executed);
 * - one `File` per input or output item (`contentSize`, `sha256`, `encodingFormat`, tags both as
 *   `keywords` `key=value` and as `additionalProperty` PropertyValues `name`/`value`); copied
 *   Files are listed in their dataset folder's `hasPart` (a Dataset per folder, in the root's
 *   `hasPart`), referenced ones (absolute URIs) in the root's `hasPart`; every action is listed
 *   in the root's `mentions`.
 * Data files are read through the store (to hash items that record no checksum); nothing is written.
 */
export async function buildRoCrate(store: ExperimentStore, options: RoCrateOptions = {}): Promise<RoCrateDocument> {
  return (await assembleRoCrate(store, options)).document;
}

/**
 * Writes the crate into `dir`: data files copied as `<dataset>/<file>` (unless `copyData: false`)
 * and `ro-crate-metadata.json`, all in a hidden sibling folder first, then renamed into place, so
 * `dir` never holds a half-written crate nor files of an earlier export. `dir` must be missing,
 * empty, or an earlier crate (replaced whole); any other folder is refused with StorageError
 * EXISTS naming it, and nothing in it is touched. Resolves to the document written.
 */
export async function writeRoCrate(store: ExperimentStore, dir: string, options: RoCrateOptions = {}): Promise<RoCrateDocument> {
  const target = resolve(dir);
  const previous = await crateFolderState(target);
  const { document, copies } = await assembleRoCrate(store, options);
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    for (const file of copies) {
      const path = join(staging, ...file.relativePath.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await copyFile(file.sourcePath, path);
    }
    const metadata = join(staging, RO_CRATE_METADATA_FILE);
    await writeFileAtomic(metadata, JSON.stringify(document, null, 2) + '\n', { fsync: false }).catch((error: unknown) => {
      throw ioFailure(metadata, 'write file', error);
    });
    await swapIn(staging, target, previous);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return document;
}

/**
 * What is at a crate's target: nothing (or an empty folder), or an earlier crate (it holds
 * ro-crate-metadata.json) that is replaced whole. Anything else is refused: exporting must never
 * delete or mix with a user's files.
 */
async function crateFolderState(target: string): Promise<'absent' | 'empty' | 'crate'> {
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    throw new StorageError(code === 'ENOTDIR' ? 'EXISTS' : 'IO', `cannot write an RO-Crate to ${target}: ${(error as Error).message}`, {
      cause: error,
      details: { path: target },
    });
  }
  if (entries.length === 0) return 'empty';
  if (entries.includes(RO_CRATE_METADATA_FILE)) return 'crate';
  throw new StorageError(
    'EXISTS',
    `cannot write an RO-Crate to ${target}: the folder is not empty and holds no ${RO_CRATE_METADATA_FILE} (choose an empty or new folder)`,
    {
      details: { path: target, entries: entries.slice(0, 10) },
    },
  );
}

/** Puts the finished crate in place; an earlier crate is moved aside first and removed after. */
async function swapIn(staging: string, target: string, previous: 'absent' | 'empty' | 'crate'): Promise<void> {
  if (previous === 'absent') return rename(staging, target);
  const old = `${staging}-old`;
  await rename(target, old);
  try {
    await rename(staging, target);
  } catch (error) {
    await rename(old, target).catch(() => undefined);
    throw error;
  }
  await rm(old, { recursive: true, force: true });
}

/** A crate's metadata and the files to copy into it. */
interface AssembledCrate {
  readonly document: RoCrateDocument;
  readonly copies: readonly CrateCopy[];
}

/** The runs to export: those asked for, else a pipeline's runs (latest per step), else all. */
async function selectedRuns(store: ExperimentStore, options: RoCrateOptions): Promise<readonly string[] | undefined> {
  if (options.runs !== undefined || options.pipeline === undefined) return options.runs;
  return [...pipelineStepRuns(options.pipeline, await store.listRuns()).values()].map((r) => r.id);
}

/** A name not yet in `taken` (lower case), starting from `name`. */
function freeName(name: string, taken: ReadonlySet<string>): string {
  let candidate = name;
  for (let n = 1; taken.has(candidate.toLowerCase()); n++) candidate = `${name}_${n}`;
  return candidate;
}

async function assembleRoCrate(store: ExperimentStore, options: RoCrateOptions): Promise<AssembledCrate> {
  const runs = await selectedRuns(store, options);
  const snapshot = await loadProvenance(store, runs === undefined ? {} : { runs });
  const { experiment, activities, items } = snapshot;
  const involved = involvedItems(activities).flatMap((id) => items.get(id) ?? []);
  const files = await planCrateFiles(store, involved, options.copyData ?? true);
  const graph = new Map<string, RoCrateEntity>();
  const add = (entity: RoCrateEntity): void => {
    if (!graph.has(entity['@id'])) graph.set(entity['@id'], entity);
  };
  const people = personIds(options.author);
  const dataFolders = new Map<string, string[]>();
  for (const file of files.values()) {
    if (file.relativePath === undefined) continue;
    const folder = file.relativePath.split('/')[0] as string;
    dataFolders.set(folder, [...(dataFolders.get(folder) ?? []), file.id]);
  }
  const toolsFolder = freeName('tools', new Set([...dataFolders.keys()].map((f) => f.toLowerCase())));
  const tools = new Map<string, CrateTool>();
  const takenToolFolders = new Set<string>();
  const byToolId = new Map<string, CrateTool>();
  for (const run of snapshot.runs) {
    const id = toolId(run);
    const known = byToolId.get(id) ?? (await toolEntities(run, toolsFolder, takenToolFolders));
    byToolId.set(id, known);
    tools.set(run.id, known);
  }
  const toolFolders = [...byToolId.values()].flatMap((t) => (t.folder === undefined ? [] : [t.folder.split('/').map(seg).join('/')]));
  const exporter = options.author ?? { name: present(experiment.author) ? experiment.author : 'unknown' };
  const authorId = people(exporter.name);
  const licence = options.license === undefined ? undefined : licenseEntity(options.license);
  const workflow =
    options.pipeline === undefined
      ? undefined
      : await workflowRunEntities(options.pipeline, {
          stepRuns: pipelineStepRuns(options.pipeline, snapshot.runs),
          activities,
          actionId: crateIds.action,
          tools,
          fileOf: (id) => files.get(id)?.id,
          agent: ref(authorId),
          takenNames: new Set([...dataFolders.keys(), toolsFolder].map((f) => f.toLowerCase())),
        });
  const profiles = workflow === undefined ? [PROCESS_RUN_CRATE_PROFILE] : Object.keys(PROFILES);
  const referenced = [...files.values()].filter((f) => f.relativePath === undefined).map((f) => ref(f.id));
  add({
    '@id': './',
    '@type': 'Dataset',
    name: experiment.name,
    description: `Provenance of ${snapshot.runs.length} run(s) of the BioImageIT experiment '${experiment.name}'${options.pipeline === undefined ? '' : ` (pipeline '${options.pipeline.definition.name}')`}: every job with its tool, inputs, parameters and outputs.`,
    datePublished: (options.now ?? new Date()).toISOString(),
    identifier: experiment.id,
    ...(licence !== undefined && { license: ref(licence['@id']) }),
    author: ref(authorId),
    conformsTo: profiles.length === 1 ? ref(PROCESS_RUN_CRATE_PROFILE) : profiles.map(ref),
    ...(workflow !== undefined && { mainEntity: ref(workflow.workflowId) }),
    hasPart: [
      ...(workflow === undefined ? [] : [ref(workflow.workflowId)]),
      ...[...dataFolders.keys()].map((f) => ref(`${seg(f)}/`)),
      ...(toolFolders.length > 0 ? [ref(`${seg(toolsFolder)}/`)] : []),
      ...referenced,
    ],
    mentions: [...(workflow?.actions ?? []), ...activities.map((a) => crateIds.action(a))].map(ref),
  });
  add({ '@id': RO_CRATE_METADATA_FILE, '@type': 'CreativeWork', conformsTo: ref(RO_CRATE_SPEC), about: ref('./') });
  for (const profile of profiles) {
    const [name, version] = PROFILES[profile] as readonly [string, string];
    add({ '@id': profile, '@type': 'CreativeWork', name, version });
  }
  add(personEntity(exporter, authorId));
  if (licence !== undefined) add(licence);
  for (const [folder, ids] of dataFolders) {
    add({
      '@id': `${seg(folder)}/`,
      '@type': 'Dataset',
      name: folder,
      description: `Data files of the dataset '${folder}' of the experiment '${experiment.name}' used or made by the exported runs.`,
      hasPart: ids.map(ref),
    });
  }
  if (toolFolders.length > 0) {
    add({
      '@id': `${seg(toolsFolder)}/`,
      '@type': 'Dataset',
      name: toolsFolder,
      description: 'The code (manifest and scripts) of the tools that ran, one folder per tool version.',
      hasPart: toolFolders.map(ref),
    });
  }
  for (const file of files.values()) {
    const item = items.get(file.itemId);
    if (item !== undefined) for (const entity of fileEntities(item, file)) add(entity);
  }
  for (const entity of workflow?.entities ?? []) add(entity);
  for (const tool of byToolId.values()) for (const entity of tool.entities) add(entity);
  for (const activity of activities) for (const entity of actionEntities(activity, items, files, people)) add(entity);
  const copies = [
    ...[...files.values()].flatMap((f) =>
      f.relativePath === undefined || f.sourcePath === undefined ? [] : [{ relativePath: f.relativePath, sourcePath: f.sourcePath }],
    ),
    ...[...byToolId.values()].flatMap((t) => t.copies),
    ...(workflow === undefined ? [] : [workflow.copy]),
  ];
  return { document: { '@context': [RO_CRATE_CONTEXT, WORKFLOW_RUN_CONTEXT], '@graph': [...graph.values()] }, copies };
}

/** The Person id of a user name: the author's ORCID URL for the author's name, else a local id. */
function personIds(author: CrateAuthor | undefined): (user: string) => string {
  return (user) => (author?.orcid !== undefined && user === author.name ? orcidUrl(author.orcid) : crateIds.person(user));
}

function personEntity(person: CrateAuthor, id: string): RoCrateEntity {
  return { '@id': id, '@type': 'Person', name: person.name, ...(person.orcid !== undefined && { identifier: orcidUrl(person.orcid) }) };
}

/** An item's File and the PropertyValues of its tags. */
function fileEntities(item: DataItem, file: CrateFile): RoCrateEntity[] {
  const tags = Object.entries(item.tags);
  const properties: RoCrateEntity[] = tags.map(([name, value]) => ({ '@id': crateIds.tag(name, value), '@type': 'PropertyValue', name, value }));
  const entity: RoCrateEntity = {
    '@id': file.id,
    '@type': 'File',
    name: item.name,
    ...(file.fileName !== item.name && { alternateName: file.fileName }),
    identifier: item.id,
    description: `${item.origin.type === 'raw' ? 'Raw' : 'Processed'} item of dataset '${item.dataset}'${file.relativePath === undefined ? ' (not copied into the crate: referenced where it is stored)' : ''}`,
    contentSize: String(file.size),
    sha256: file.sha256,
    encodingFormat: file.mediaType,
    ...(present(item.date) && { dateCreated: item.date }),
    ...(tags.length > 0 && { keywords: tags.map(([k, v]) => `${k}=${v}`), additionalProperty: properties.map((p) => ref(p['@id'])) }),
  };
  return [entity, ...properties];
}

function actionEntities(
  a: ProvenanceActivity,
  items: ReadonlyMap<string, DataItem>,
  files: ReadonlyMap<string, CrateFile>,
  people: (user: string) => string,
): RoCrateEntity[] {
  const { run } = a;
  const user = activityUser(a, items);
  const toolRef = ref(toolId(run));
  const toolName = present(run.tool.name) ? run.tool.name : run.tool.id;
  const parameters: RoCrateEntity[] = run.parameters.map((p) => ({
    '@id': crateIds.parameter(run, p.name),
    '@type': 'PropertyValue',
    name: p.name,
    value: p.value,
  }));
  const fileRef = (id: string): RoCrateReference[] => {
    const file = files.get(id);
    return file === undefined ? [] : [ref(file.id)];
  };
  const failed = a.status === 'failed' || a.status === 'cancelled';
  const status =
    a.status === 'unknown'
      ? undefined
      : failed
        ? 'http://schema.org/FailedActionStatus'
        : a.status === 'running'
          ? 'http://schema.org/ActiveActionStatus'
          : 'http://schema.org/CompletedActionStatus';
  const action: RoCrateEntity = {
    '@id': crateIds.action(a),
    '@type': 'CreateAction',
    name: `${toolName} on ${a.inputs.map((i) => items.get(i.id)?.name ?? i.id).join(', ') || 'no data'}`,
    description: describeAction(
      a,
      [...a.inputs.map((i) => i.id), ...a.outputs].filter((id) => !files.has(id)).map((id) => items.get(id)?.name ?? id),
    ),
    instrument: toolRef,
    agent: ref(people(user)),
    object: [...a.inputs.flatMap((i) => fileRef(i.id)), ...parameters.map((p) => ref(p['@id']))],
    result: a.outputs.flatMap(fileRef),
    ...(a.start !== undefined && { startTime: a.start }),
    ...(a.end !== undefined && { endTime: a.end }),
    ...(status !== undefined && { actionStatus: ref(status) }),
    ...(failed && { error: a.error ?? (a.status === 'cancelled' ? 'cancelled' : `exit code ${String(a.exitCode ?? 'unknown')}`) }),
  };
  const image = containerImage(a.job?.environment);
  const locked = condaEnvironment(a);
  const withImage = image === undefined ? action : { ...action, containerImage: ref(image['@id']) };
  const acted = locked.length === 0 ? withImage : { ...withImage, instrument: [toolRef, ref((locked[0] as RoCrateEntity)['@id'])] };
  return [{ '@id': people(user), '@type': 'Person', name: user }, ...parameters, acted, ...(image === undefined ? [] : [image]), ...locked];
}

function describeAction(a: ProvenanceActivity, unreadable: readonly string[]): string {
  const { run } = a;
  const parts = [
    a.reconstructed
      ? `Output of BioImageIT v1 run ${run.id} into dataset '${run.dataset}', reconstructed from the item's origin. Status unknown: v1 records no jobs, times, exit codes or status, and registers a run's outputs even when its tool failed.`
      : `Job ${a.job?.index ?? '?'} of run ${run.id} into dataset '${run.dataset}' (status ${a.status}).`,
  ];
  if (a.cachedFrom !== undefined)
    parts.push(`Served from the cache: nothing was executed; the result reuses the outputs of run ${a.cachedFrom.runId} job ${a.cachedFrom.jobId}.`);
  if (present(run.runner)) parts.push(`Runner: ${run.runner}${present(run.host) ? ` on ${run.host}` : ''}.`);
  if (a.exitCode !== undefined && a.exitCode !== null) parts.push(`Exit code ${a.exitCode}.`);
  if (a.job?.signal !== undefined) parts.push(`Killed by ${a.job.signal}.`);
  if (a.missing.length > 0) parts.push(`Items no longer in the experiment: ${a.missing.join(', ')}.`);
  if (unreadable.length > 0) parts.push(`Items whose data file is missing (never written, or removed): ${unreadable.join(', ')}.`);
  return parts.join(' ');
}
