import { type DataItem, mapConcurrent, type RunRecord, type Tags } from '@bioimageit/core';
import { outputRecord, processedItemId, type OutputRecord } from './item-records.js';
import type { ExperimentLayout, ProcessedDataset } from './experiment-layout.js';
import { NS_OUTPUT, type WebAnnotation } from './omero-model.js';
import type { OmeroRepository } from './omero-repository.js';
import { omeroUri } from './omero-uri.js';
import { byImage } from './raw-items.js';
import { tagsOf } from './tag-pairs.js';

/** A processed item's record as stored on its processed Dataset. */
export interface StoredOutput {
  readonly annId: number;
  readonly dataset: ProcessedDataset;
  readonly record: OutputRecord;
}

/** Output records of the given processed datasets (one batched request), oldest first. */
export async function listOutputs(repo: OmeroRepository, datasets: readonly ProcessedDataset[]): Promise<StoredOutput[]> {
  if (datasets.length === 0) return [];
  const byId = new Map(datasets.map((d) => [d.datasetId, d]));
  const anns = await repo.annotations(
    'dataset',
    datasets.map((d) => d.datasetId),
    'map',
    NS_OUTPUT,
  );
  const out: StoredOutput[] = [];
  for (const a of anns) {
    const dataset = byId.get(a.link.parent.id);
    const record = outputRecord(a);
    if (dataset && record && !out.some((o) => o.annId === a.id)) out.push({ annId: a.id, dataset, record });
  }
  return out.sort((a, b) => a.record.fileAnnotation - b.record.fileAnnotation);
}

/** Current tags of the given raw images (one batched request). */
export async function rawTags(repo: OmeroRepository, imageIds: readonly number[]): Promise<Map<number, Tags>> {
  if (imageIds.length === 0) return new Map();
  const anns = byImage(await repo.annotations('image', imageIds, 'map'));
  return new Map([...new Set(imageIds)].map((id) => [id, tagsOf(anns.get(id)?.tagMaps ?? [])]));
}

/** A processed DataItem: its raw root's current tags overlaid with its own. */
export function processedItem(server: string, output: StoredOutput, roots: ReadonlyMap<number, Tags>): DataItem {
  const r = output.record;
  const uri = omeroUri(server, 'annotation', r.fileAnnotation);
  const inherited = r.rootImage === undefined ? {} : (roots.get(r.rootImage) ?? {});
  return {
    id: processedItemId(r.fileAnnotation),
    uri,
    dataset: output.dataset.name,
    name: r.name,
    format: r.format,
    dataUri: omeroUri(server, 'annotation', r.fileAnnotation, r.name),
    author: r.author,
    date: r.date,
    ...(r.size !== undefined && { size: r.size }),
    ...(r.sha256 !== undefined && { sha256: r.sha256 }),
    tags: { ...inherited, ...r.ownTags },
    metadata: r.metadata,
    origin: r.origin,
    ...(r.thumbnail !== undefined && { thumbnail: r.thumbnail }),
  };
}

/** Processed items of the given outputs, with their roots' tags fetched in one request. */
export async function processedItems(repo: OmeroRepository, server: string, outputs: readonly StoredOutput[]): Promise<DataItem[]> {
  const roots = await rawTags(
    repo,
    outputs.flatMap((o) => (o.record.rootImage === undefined ? [] : [o.record.rootImage])),
  );
  return outputs.map((o) => processedItem(server, o, roots));
}

const RUN_PREFIX = 'bioimageit-run-';
const LOG_PREFIX = 'bioimageit-log-';

/** File name of a run record attached to its processed Dataset. */
export function runFileName(runId: string): string {
  return `${RUN_PREFIX}${encodeURIComponent(runId)}.json`;
}

/** File name of a job log attached to its processed Dataset. */
export function logFileName(runId: string, name: string): string {
  return `${LOG_PREFIX}${encodeURIComponent(runId)}--${encodeURIComponent(name)}`;
}

/** Run record files (file annotations) attached to the given processed datasets. */
export async function runFiles(
  repo: OmeroRepository,
  datasets: readonly ProcessedDataset[],
): Promise<{ annId: number; dataset: ProcessedDataset; name: string }[]> {
  if (datasets.length === 0) return [];
  const byId = new Map(datasets.map((d) => [d.datasetId, d]));
  const files = await repo.annotations(
    'dataset',
    datasets.map((d) => d.datasetId),
    'file',
  );
  return files
    .filter((a: WebAnnotation) => a.file?.name.startsWith(RUN_PREFIX) && a.file.name.endsWith('.json') && byId.has(a.link.parent.id))
    .map((a) => ({ annId: a.id, dataset: byId.get(a.link.parent.id)!, name: a.file!.name }));
}

/** Run records of the datasets, oldest first (by start, then dataset order); the newest file of a run wins. */
export async function readRuns(repo: OmeroRepository, layout: ExperimentLayout, datasets: readonly ProcessedDataset[]): Promise<RunRecord[]> {
  const files = (await runFiles(repo, datasets)).sort((a, b) => a.annId - b.annId);
  const latest = new Map<string, (typeof files)[number]>();
  for (const f of files) latest.set(`${f.dataset.datasetId}/${f.name}`, f);
  const runs = await mapConcurrent([...latest.values()], 4, async (f) => JSON.parse(await repo.readAnnotation(f.annId)) as RunRecord);
  const order = new Map(layout.processed.map((p, i) => [p.name, i]));
  return runs.sort((a, b) => a.start.localeCompare(b.start) || (order.get(a.dataset) ?? 0) - (order.get(b.dataset) ?? 0));
}
