import type { ExperimentStore } from '../extension-points/storage-backend.js';
import { ioFailure } from '../formats/format-failure.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { DataItem } from '../model/data-item.js';
import { planCrateFiles, type CrateFile } from './crate-files.js';
import { activityUser, involvedItems, loadProvenance, present, type ProvenanceActivity } from './provenance-snapshot.js';
import {
  BIOIMAGEIT_PROV_NAMESPACE,
  provIds,
  provLocal,
  type ProvJsonDocument,
  type ProvJsonOptions,
  type ProvRecord,
  type ProvValue,
} from './prov-json-types.js';

type Section = Record<string, ProvRecord>;
const typed = (value: string | number, type: string): ProvValue => ({ $: String(value), type });

/** Tool agent key: its digest, else id@version (v1 runs record no digest). */
function toolKey(a: ProvenanceActivity): string {
  return present(a.run.tool.digest) ? a.run.tool.digest : `${a.run.tool.id}@${a.run.tool.version}`;
}

/** True when `item` was made by `a` (its origin names a's run and job); false for reused outputs. */
function generatedBy(item: DataItem | undefined, a: ProvenanceActivity): boolean {
  if (item?.origin.type !== 'processed' || item.origin.run.id !== a.run.id) return false;
  return a.reconstructed || item.origin.job === undefined || item.origin.job.id === a.jobId;
}

/**
 * Builds a W3C PROV-JSON document for the selected runs (default: all):
 * - `entity` per item used or produced (label, dataset, format, media type, size, sha256 —
 *   computed when the item records none —, location, origin, and one `bioimageit:tag_<key>`
 *   attribute per tag);
 * - `activity` per job (per output item for v1 runs) with start/end times, run, status, exit code,
 *   error, runner, host, the job's runner environment (`bioimageit:environment`: the JSON the
 *   runner recorded: image id and digests, conda lock, SLURM job id...), and one
 *   `bioimageit:parameter_<name>` attribute per parameter;
 * - `agent` for each user (prov:Person) and each tool (prov:SoftwareAgent, with version and digest);
 * - `used` (role = the tool's input name), `wasGeneratedBy` (only for items the job made: a cached
 *   job generates nothing, it `wasInformedBy` the job it reused when that job is exported),
 *   `wasAssociatedWith` (user and tool), `wasDerivedFrom` (each generated item from each input of
 *   its origin), `wasAttributedTo` (generated items to the run's user, raw items to their author).
 * Ids are stable: built from experiment, item, run and job ids (see provIds).
 */
export async function buildProvJson(store: ExperimentStore, options: ProvJsonOptions = {}): Promise<ProvJsonDocument> {
  const { experiment, activities, items } = await loadProvenance(store, options.runs === undefined ? {} : { runs: options.runs });
  const involved = withOriginInputs(involvedItems(activities), items).flatMap((id) => items.get(id) ?? []);
  const files = await planCrateFiles(store, involved, false);
  const doc = {
    prefix: {
      prov: 'http://www.w3.org/ns/prov#',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
      bioimageit: BIOIMAGEIT_PROV_NAMESPACE,
      exp: `urn:bioimageit:experiment:${provLocal(experiment.id)}:`,
    },
    entity: {} as Section,
    activity: {} as Section,
    agent: {} as Section,
    used: {} as Section,
    wasGeneratedBy: {} as Section,
    wasAssociatedWith: {} as Section,
    wasDerivedFrom: {} as Section,
    wasAttributedTo: {} as Section,
    wasInformedBy: {} as Section,
  };
  const person = (name: string): string => {
    const id = provIds.user(name);
    doc.agent[id] ??= { 'prov:type': 'prov:Person', 'prov:label': name };
    return id;
  };
  for (const item of involved) {
    const entityId = provIds.item(item.id);
    doc.entity[entityId] = entityRecord(item, files.get(item.id));
    if (item.origin.type === 'raw' && present(item.author))
      doc.wasAttributedTo[`_:attr.${provLocal(item.id)}`] = { 'prov:entity': entityId, 'prov:agent': person(item.author) };
  }
  const exported = new Set(activities.map((a) => provIds.job(a.run.id, a.jobId)));
  for (const a of activities) {
    const actId = provIds.job(a.run.id, a.jobId);
    const act = actId.slice('exp:'.length);
    doc.activity[actId] = activityRecord(a);
    const tool = provIds.tool(toolKey(a));
    doc.agent[tool] ??= {
      'prov:type': 'prov:SoftwareAgent',
      'prov:label': present(a.run.tool.name) ? a.run.tool.name : a.run.tool.id,
      'bioimageit:toolId': a.run.tool.id,
      ...(present(a.run.tool.version) && { 'bioimageit:version': a.run.tool.version }),
      ...(present(a.run.tool.digest) && { 'bioimageit:digest': a.run.tool.digest }),
    };
    const user = person(activityUser(a, items));
    doc.wasAssociatedWith[`_:assoc.${act}.user`] = { 'prov:activity': actId, 'prov:agent': user, 'prov:role': 'bioimageit:operator' };
    doc.wasAssociatedWith[`_:assoc.${act}.tool`] = { 'prov:activity': actId, 'prov:agent': tool, 'prov:role': 'bioimageit:tool' };
    for (const input of a.inputs) {
      doc.used[`_:used.${act}.${provLocal(input.id)}.${provLocal(input.name)}`] = {
        'prov:activity': actId,
        'prov:entity': provIds.item(input.id),
        'prov:role': input.name,
        ...(a.start !== undefined && { 'prov:time': a.start }),
      };
    }
    for (const outputId of a.outputs) {
      const output = items.get(outputId);
      if (!generatedBy(output, a) || output?.origin.type !== 'processed') continue;
      const entityId = provIds.item(outputId);
      doc.wasGeneratedBy[`_:gen.${provLocal(outputId)}`] = {
        'prov:entity': entityId,
        'prov:activity': actId,
        'prov:role': output.origin.output.name,
        ...(a.end !== undefined && { 'prov:time': a.end }),
      };
      doc.wasAttributedTo[`_:attr.${provLocal(outputId)}`] = { 'prov:entity': entityId, 'prov:agent': user };
      for (const input of output.origin.inputs) {
        if (!items.has(input.id)) continue;
        doc.wasDerivedFrom[`_:der.${provLocal(outputId)}.${provLocal(input.id)}.${provLocal(input.name)}`] = {
          'prov:generatedEntity': entityId,
          'prov:usedEntity': provIds.item(input.id),
          'prov:activity': actId,
        };
      }
    }
    const informant = a.cachedFrom === undefined ? undefined : provIds.job(a.cachedFrom.runId, a.cachedFrom.jobId);
    if (informant !== undefined && exported.has(informant)) doc.wasInformedBy[`_:inf.${act}`] = { 'prov:informed': actId, 'prov:informant': informant };
  }
  return doc;
}

/** `ids` plus the origin inputs of their processed items (derivations name them). */
function withOriginInputs(ids: readonly string[], items: ReadonlyMap<string, DataItem>): string[] {
  const all = new Set(ids);
  for (const id of ids) {
    const origin = items.get(id)?.origin;
    if (origin?.type === 'processed') for (const input of origin.inputs) if (items.has(input.id)) all.add(input.id);
  }
  return [...all];
}

/** Writes buildProvJson's document to `file` (atomically) and resolves to it. */
export async function writeProvJson(store: ExperimentStore, file: string, options: ProvJsonOptions = {}): Promise<ProvJsonDocument> {
  const doc = await buildProvJson(store, options);
  await writeFileAtomic(file, JSON.stringify(doc, null, 2) + '\n', { fsync: false }).catch((error: unknown) => {
    throw ioFailure(file, 'write file', error);
  });
  return doc;
}

function entityRecord(item: DataItem, file: CrateFile | undefined): ProvRecord {
  const record: Record<string, ProvValue> = {
    'prov:type': 'bioimageit:DataItem',
    'prov:label': item.name,
    'bioimageit:itemId': item.id,
    'bioimageit:dataset': item.dataset,
    'bioimageit:format': item.format,
    'bioimageit:origin': item.origin.type,
  };
  if (file !== undefined) {
    record['prov:location'] = file.id;
    record['bioimageit:mediaType'] = file.mediaType;
    record['bioimageit:size'] = typed(file.size, 'xsd:long');
    record['bioimageit:sha256'] = file.sha256;
  }
  for (const [key, value] of Object.entries(item.tags)) record[`bioimageit:tag_${provLocal(key)}`] = value;
  return record;
}

function activityRecord(a: ProvenanceActivity): ProvRecord {
  const { run } = a;
  const record: Record<string, ProvValue> = {
    'prov:type': 'bioimageit:Job',
    'prov:label': `${present(run.tool.name) ? run.tool.name : run.tool.id} ${a.reconstructed ? `(v1 run ${run.id})` : `job ${a.job?.index ?? '?'} of run ${run.id}`}`,
    'bioimageit:run': run.id,
    'bioimageit:job': a.jobId,
    'bioimageit:dataset': run.dataset,
    'bioimageit:status': a.status,
    'bioimageit:tool': run.tool.id,
  };
  if (a.start !== undefined) record['prov:startTime'] = a.start;
  if (a.end !== undefined) record['prov:endTime'] = a.end;
  if (a.exitCode !== undefined && a.exitCode !== null) record['bioimageit:exitCode'] = typed(a.exitCode, 'xsd:int');
  if (a.error !== undefined) record['bioimageit:error'] = a.error;
  if (a.cachedFrom !== undefined) record['bioimageit:cachedFrom'] = provIds.job(a.cachedFrom.runId, a.cachedFrom.jobId);
  if (present(run.runner)) record['bioimageit:runner'] = run.runner;
  if (present(run.host)) record['bioimageit:host'] = run.host;
  const environment = a.job?.environment;
  if (environment !== undefined && Object.keys(environment).length > 0) record['bioimageit:environment'] = JSON.stringify(environment);
  for (const p of run.parameters) record[`bioimageit:parameter_${provLocal(p.name)}`] = p.value;
  return record;
}
