import { copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { StorageError } from '../errors/area-errors.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import { ioFailure } from '../formats/format-failure.js';
import type { DataItem } from '../model/data-item.js';
import type { RunRecord } from '../model/run.js';
import { isRecord } from '../util/is-record.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { planCrateFiles, type CrateFile } from './crate-files.js';
import { activityUser, involvedItems, loadProvenance, present, type ProvenanceActivity } from './provenance-snapshot.js';
import {
  PROCESS_RUN_CRATE_PROFILE,
  RO_CRATE_CONTEXT,
  RO_CRATE_METADATA_FILE,
  RO_CRATE_SPEC,
  WORKFLOW_RUN_CONTEXT,
  type RoCrateDocument,
  type RoCrateEntity,
  type RoCrateOptions,
  type RoCrateReference,
} from './ro-crate-types.js';

const ref = (id: string): RoCrateReference => ({ '@id': id });
const seg = (s: string): string => encodeURIComponent(s);

/** Stable local ids of contextual entities (fragment identifiers built from run/job/tool ids). */
export const crateIds = {
  action: (a: ProvenanceActivity): string => `#run/${seg(a.run.id)}/job/${seg(a.jobId)}`,
  parameter: (run: RunRecord, name: string): string => `#run/${seg(run.id)}/parameter/${seg(name)}`,
  tool: (run: RunRecord): string => `#tool/${seg(present(run.tool.digest) ? run.tool.digest : `${run.tool.id}@${run.tool.version}`)}`,
  person: (user: string): string => `#person/${seg(user)}`,
};

/**
 * Builds an RO-Crate 1.1 metadata document following the Process Run Crate profile 0.5 for the
 * selected runs of an experiment:
 * - one `CreateAction` per job (per output item for v1 runs, which record no jobs) with
 *   `instrument` (the tool as a SoftwareApplication; `identifier` = tool digest), `object` (input
 *   Files, then the run's parameters as PropertyValues), `result` (output Files), `agent` (a
 *   Person: the run's user), `startTime`/`endTime` when recorded, `actionStatus` and `error`,
 *   and `containerImage` (a ContainerImage: name, tag, sha256, registry digests) for a job whose
 *   runner recorded an image; a job of the conda runner gets its locked environment as a second
 *   `instrument` (a SoftwareApplication listing the packages in `hasPart`);
 * - a `cached` job is a completed action whose `result` lists the outputs it reused from the
 *   earlier job (said in its description; nothing was executed);
 * - one `File` per input or output item (`contentSize`, `sha256`, `encodingFormat`), all listed
 *   in the root's `hasPart`; every action is listed in the root's `mentions`.
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
  const { document, files } = await assembleRoCrate(store, options);
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    for (const file of files.values()) {
      if (file.relativePath === undefined || file.sourcePath === undefined) continue;
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

async function assembleRoCrate(store: ExperimentStore, options: RoCrateOptions): Promise<{ document: RoCrateDocument; files: Map<string, CrateFile> }> {
  const snapshot = await loadProvenance(store, options.runs === undefined ? {} : { runs: options.runs });
  const { experiment, activities, items } = snapshot;
  const involved = involvedItems(activities).flatMap((id) => items.get(id) ?? []);
  const files = await planCrateFiles(store, involved, options.copyData ?? true);
  const graph = new Map<string, RoCrateEntity>();
  const add = (entity: RoCrateEntity): void => {
    if (!graph.has(entity['@id'])) graph.set(entity['@id'], entity);
  };
  const author = present(experiment.author) ? experiment.author : 'unknown';
  add({ '@id': crateIds.person(author), '@type': 'Person', name: author });
  add({
    '@id': './',
    '@type': 'Dataset',
    name: experiment.name,
    description: `Provenance of ${snapshot.runs.length} run(s) of the BioImageIT experiment '${experiment.name}': every job with its tool, inputs, parameters and outputs.`,
    datePublished: (options.now ?? new Date()).toISOString(),
    identifier: experiment.id,
    author: ref(crateIds.person(author)),
    conformsTo: ref(PROCESS_RUN_CRATE_PROFILE),
    hasPart: [...files.values()].map((f) => ref(f.id)),
    mentions: activities.map((a) => ref(crateIds.action(a))),
  });
  add({ '@id': RO_CRATE_METADATA_FILE, '@type': 'CreativeWork', conformsTo: ref(RO_CRATE_SPEC), about: ref('./') });
  add({ '@id': PROCESS_RUN_CRATE_PROFILE, '@type': 'CreativeWork', name: 'Process Run Crate', version: '0.5' });
  for (const file of files.values()) {
    const item = items.get(file.itemId);
    if (item !== undefined) add(fileEntity(item, file));
  }
  for (const activity of activities) for (const entity of actionEntities(activity, items, files)) add(entity);
  return { document: { '@context': [RO_CRATE_CONTEXT, WORKFLOW_RUN_CONTEXT], '@graph': [...graph.values()] }, files };
}

function fileEntity(item: DataItem, file: CrateFile): RoCrateEntity {
  const tags = Object.entries(item.tags).map(([k, v]) => `${k}=${v}`);
  return {
    '@id': file.id,
    '@type': 'File',
    name: item.name,
    ...(file.fileName !== item.name && { alternateName: file.fileName }),
    identifier: item.id,
    description: `${item.origin.type === 'raw' ? 'Raw' : 'Processed'} item of dataset '${item.dataset}'`,
    contentSize: String(file.size),
    sha256: file.sha256,
    encodingFormat: file.mediaType,
    ...(present(item.date) && { dateCreated: item.date }),
    ...(tags.length > 0 && { keywords: tags }),
  };
}

function actionEntities(a: ProvenanceActivity, items: ReadonlyMap<string, DataItem>, files: ReadonlyMap<string, CrateFile>): RoCrateEntity[] {
  const { run } = a;
  const user = activityUser(a, items);
  const facts: RoCrateEntity[] = Object.entries(run.tool.facts ?? {}).map(([name, value]) => ({
    '@id': `${crateIds.tool(run)}/fact/${seg(name)}`,
    '@type': 'PropertyValue',
    name,
    value,
  }));
  const tool: RoCrateEntity = {
    '@id': crateIds.tool(run),
    '@type': 'SoftwareApplication',
    name: present(run.tool.name) ? run.tool.name : run.tool.id,
    alternateName: run.tool.id,
    ...(present(run.tool.version) && { version: run.tool.version }),
    ...(present(run.tool.digest) && { identifier: run.tool.digest }),
    ...(present(run.tool.source) && { description: `BioImageIT tool loaded from ${run.tool.source}` }),
    ...(run.tool.license !== undefined && { license: run.tool.license }),
    ...(run.tool.authors !== undefined && run.tool.authors.length > 0 && { author: run.tool.authors.join('; ') }),
    ...(facts.length > 0 && { additionalProperty: facts.map((f) => ref(f['@id'])) }),
    ...(run.tool.cite !== undefined &&
      run.tool.cite.length > 0 && {
        citation: run.tool.cite.map((c) => (c.doi !== undefined ? `https://doi.org/${c.doi.replace(/^https?:\/\/doi\.org\//, '')}` : (c.url ?? c.text))),
      }),
  };
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
  const action: RoCrateEntity = {
    '@id': crateIds.action(a),
    '@type': 'CreateAction',
    name: `${tool['name'] as string} on ${a.inputs.map((i) => items.get(i.id)?.name ?? i.id).join(', ') || 'no data'}`,
    description: describeAction(a),
    instrument: ref(tool['@id']),
    agent: ref(crateIds.person(user)),
    object: [...a.inputs.flatMap((i) => fileRef(i.id)), ...parameters.map((p) => ref(p['@id']))],
    result: a.outputs.flatMap(fileRef),
    ...(a.start !== undefined && { startTime: a.start }),
    ...(a.end !== undefined && { endTime: a.end }),
    actionStatus: ref(
      failed
        ? 'http://schema.org/FailedActionStatus'
        : a.status === 'running'
          ? 'http://schema.org/ActiveActionStatus'
          : 'http://schema.org/CompletedActionStatus',
    ),
    ...(failed && { error: a.error ?? (a.status === 'cancelled' ? 'cancelled' : `exit code ${String(a.exitCode ?? 'unknown')}`) }),
  };
  const image = containerImage(a.job?.environment);
  const conda = condaEnvironment(a);
  const withImage = image === undefined ? action : { ...action, containerImage: ref(image['@id']) };
  const acted = conda.length === 0 ? withImage : { ...withImage, instrument: [ref(tool['@id']), ref((conda[0] as RoCrateEntity)['@id'])] };
  return [
    tool,
    ...facts,
    { '@id': crateIds.person(user), '@type': 'Person', name: user },
    ...parameters,
    acted,
    ...(image === undefined ? [] : [image]),
    ...conda,
  ];
}

interface LockedPackageFacts {
  readonly name: string;
  readonly version: string;
  readonly build?: string;
  readonly channel?: string;
}

/** The lock a job's `conda` facts carry, or the one of the job of the same run its `lockIn` names. */
function condaLock(a: ProvenanceActivity, conda: Readonly<Record<string, unknown>>): readonly LockedPackageFacts[] {
  const valid = (list: unknown): LockedPackageFacts[] | undefined =>
    Array.isArray(list)
      ? list.filter((p): p is LockedPackageFacts => isRecord(p) && typeof p['name'] === 'string' && typeof p['version'] === 'string')
      : undefined;
  const own = valid(conda['lock']);
  if (own !== undefined) return own;
  const first = a.run.jobs?.find((j) => j.id === conda['lockIn'])?.environment?.['conda'];
  return (isRecord(first) ? valid(first['lock']) : undefined) ?? [];
}

/**
 * The conda environment a job ran in (the conda runner's `conda` facts: `lockSha256`, the lock or
 * `lockIn`), as a SoftwareApplication whose `hasPart` lists every locked package (name,
 * `softwareVersion`, build as `identifier`, channel as `url`); the action then names it as a
 * second `instrument`. Empty for other jobs.
 */
function condaEnvironment(a: ProvenanceActivity): RoCrateEntity[] {
  const conda = a.job?.environment?.['conda'];
  if (!isRecord(conda) || typeof conda['lockSha256'] !== 'string') return [];
  const digest = conda['lockSha256'];
  const packages: RoCrateEntity[] = condaLock(a, conda).map((p) => ({
    '@id': `#conda-package/${encodeURIComponent(`${p.channel ?? ''}/${p.name}-${p.version}-${p.build ?? ''}`)}`,
    '@type': 'SoftwareApplication',
    name: p.name,
    softwareVersion: p.version,
    ...(typeof p.build === 'string' && p.build !== '' && { identifier: p.build }),
    ...(typeof p.channel === 'string' && p.channel !== '' && { url: p.channel }),
  }));
  const where = typeof conda['name'] === 'string' ? conda['name'] : typeof conda['prefix'] === 'string' ? conda['prefix'] : undefined;
  const environment: RoCrateEntity = {
    '@id': `#conda-environment/${digest}`,
    '@type': 'SoftwareApplication',
    name: `conda environment${where !== undefined ? ` ${where}` : ''}`,
    identifier: `sha256:${digest}`,
    description: `The locked conda environment the tool ran in (${typeof conda['packages'] === 'number' ? conda['packages'] : packages.length} packages; sha256 of the lock).`,
    ...(packages.length > 0 && { hasPart: packages.map((p) => ref(p['@id'])) }),
  };
  return [environment, ...packages];
}

/**
 * The Process Run Crate `ContainerImage` of a job run in a container, from the environment its
 * runner recorded (`image` reference, `imageId`, `imageDigests`), or undefined.
 */
function containerImage(environment: Readonly<Record<string, unknown>> | undefined): RoCrateEntity | undefined {
  const reference = environment?.['image'];
  if (typeof reference !== 'string' || reference === '') return undefined;
  const imageId = typeof environment?.['imageId'] === 'string' ? (environment['imageId'] as string) : undefined;
  const at = reference.lastIndexOf('@');
  const colon = reference.lastIndexOf(':');
  const named = at >= 0 ? reference.slice(0, at) : colon > reference.lastIndexOf('/') ? reference.slice(0, colon) : reference;
  const tag = at < 0 && colon > reference.lastIndexOf('/') ? reference.slice(colon + 1) : undefined;
  const digests = Array.isArray(environment?.['imageDigests'])
    ? (environment['imageDigests'] as unknown[]).filter((d): d is string => typeof d === 'string')
    : [];
  return {
    '@id': `#container/${encodeURIComponent(imageId ?? reference)}`,
    '@type': 'ContainerImage',
    additionalType: ref('https://w3id.org/ro/terms/workflow-run#DockerImage'),
    name: named,
    ...(tag !== undefined && { tag }),
    ...(imageId?.startsWith('sha256:') === true && { sha256: imageId.slice('sha256:'.length) }),
    ...(digests.length > 0 && { identifier: digests }),
  };
}

function describeAction(a: ProvenanceActivity): string {
  const { run } = a;
  const parts = [
    a.reconstructed
      ? `Output of BioImageIT v1 run ${run.id} into dataset '${run.dataset}', reconstructed from the item's origin (v1 records no jobs, times or exit codes).`
      : `Job ${a.job?.index ?? '?'} of run ${run.id} into dataset '${run.dataset}' (status ${a.status}).`,
  ];
  if (a.cachedFrom !== undefined)
    parts.push(`Served from the cache: nothing was executed; the result reuses the outputs of run ${a.cachedFrom.runId} job ${a.cachedFrom.jobId}.`);
  if (present(run.runner)) parts.push(`Runner: ${run.runner}${present(run.host) ? ` on ${run.host}` : ''}.`);
  if (a.exitCode !== undefined && a.exitCode !== null) parts.push(`Exit code ${a.exitCode}.`);
  if (a.job?.signal !== undefined) parts.push(`Killed by ${a.job.signal}.`);
  if (a.missing.length > 0) parts.push(`Items no longer in the experiment: ${a.missing.join(', ')}.`);
  return parts.join(' ');
}
