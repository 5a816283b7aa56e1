import { StorageError, type DatasetInfo, type Experiment } from '@bioimageit/core';
import { experimentRecord, pairsToRecord } from './item-records.js';
import { NS_DATASET, NS_EXPERIMENT, type OmeroDataset, type OmeroProject, type WebAnnotation } from './omero-model.js';
import type { OmeroRepository } from './omero-repository.js';
import { omeroUri } from './omero-uri.js';

/** A processed dataset: an OMERO Dataset of the Project marked `kind=processed` in our namespace. */
export interface ProcessedDataset {
  readonly name: string;
  readonly datasetId: number;
}

/**
 * How one experiment sits in OMERO: the Project, its experiment record (author, date, key order),
 * its TagAnnotations (the tag keys, as v1 kept them), the raw Datasets (every Dataset not marked
 * processed; new images go to the one marked raw, or the first) and the processed Datasets.
 */
export interface ExperimentLayout {
  readonly project: OmeroProject;
  readonly server: string;
  readonly recordAnnId?: number;
  readonly author: string;
  readonly date: string;
  readonly keys: readonly string[];
  /** The user's tag links on the Project, by text. */
  readonly tagIds: ReadonlyMap<string, number>;
  readonly raw: readonly OmeroDataset[];
  readonly rawTarget?: number;
  readonly processed: readonly ProcessedDataset[];
}

function ownerName(project: OmeroProject): string {
  const owner = project['omero:details']?.owner;
  const full = [owner?.FirstName, owner?.LastName].filter((s) => s !== undefined && s !== '').join(' ');
  return full || owner?.UserName || '';
}

/** Tag keys: the recorded order first (only keys still tagged), then tags added in OMERO.web. */
export function orderedKeys(recorded: readonly string[] | undefined, tagged: readonly string[]): string[] {
  const present = new Set(tagged);
  const first = (recorded ?? []).filter((k) => present.has(k));
  return [...first, ...tagged.filter((k) => !first.includes(k))];
}

/** Reads a Project's layout in four requests (project, datasets, project annotations, dataset roles). */
export async function loadLayout(repo: OmeroRepository, server: string, projectId: number): Promise<ExperimentLayout> {
  const project = await repo.project(projectId).catch((err: unknown) => {
    if (err instanceof StorageError && err.code === 'NOT_FOUND')
      throw new StorageError('NOT_FOUND', `no OMERO experiment at ${omeroUri(server, 'project', projectId)} (Project ${projectId} not found)`, {
        details: { uri: omeroUri(server, 'project', projectId) },
      });
    throw err;
  });
  const [datasets, projectAnns] = await Promise.all([repo.datasets(projectId), repo.annotations('project', [projectId])]);
  const roles =
    datasets.length === 0
      ? []
      : await repo.annotations(
          'dataset',
          datasets.map((d) => d['@id']),
          'map',
          NS_DATASET,
        );
  return layoutOf(server, project, datasets, projectAnns, roles);
}

/** The layout from already-fetched parts (Project, its Datasets, the Project's annotations, the Datasets' role maps). */
export function layoutOf(
  server: string,
  project: OmeroProject,
  datasets: readonly OmeroDataset[],
  projectAnns: readonly WebAnnotation[],
  roles: readonly WebAnnotation[],
): ExperimentLayout {
  const recordAnn = projectAnns.find((a) => a.class === 'MapAnnotationI' && a.ns === NS_EXPERIMENT);
  const record = experimentRecord(recordAnn?.values);
  const tagIds = new Map<string, number>();
  for (const a of projectAnns) if (a.class === 'TagAnnotationI' && a.textValue !== undefined && !tagIds.has(a.textValue)) tagIds.set(a.textValue, a.id);
  const kindOf = new Map(roles.map((r) => [r.link.parent.id, pairsToRecord(r.values)['kind']]));
  const processed = datasets.filter((d) => kindOf.get(d['@id']) === 'processed').map((d) => ({ name: d.Name ?? String(d['@id']), datasetId: d['@id'] }));
  const raw = datasets.filter((d) => kindOf.get(d['@id']) !== 'processed');
  const rawTarget = raw.find((d) => kindOf.get(d['@id']) === 'raw')?.['@id'] ?? raw[0]?.['@id'];
  return {
    project,
    server,
    ...(recordAnn && { recordAnnId: recordAnn.id }),
    author: record.author ?? ownerName(project),
    date: record.date ?? '',
    keys: orderedKeys(record.keys, [...tagIds.keys()]),
    tagIds,
    raw,
    ...(rawTarget !== undefined && { rawTarget }),
    processed,
  };
}

/** The experiment's URI (`omero://server/project/ID`). */
export function experimentUri(layout: ExperimentLayout): string {
  return omeroUri(layout.server, 'project', layout.project['@id']);
}

/** The raw dataset `data` (all raw Datasets together) and the processed ones, with item counts. */
export function datasetInfos(layout: ExperimentLayout, processedCounts: ReadonlyMap<number, number>): DatasetInfo[] {
  const uri = experimentUri(layout);
  const rawCount = layout.raw.reduce((n, d) => n + (d['omero:childCount'] ?? 0), 0);
  return [
    {
      id: layout.rawTarget === undefined ? `${layout.project['@id']}-data` : String(layout.rawTarget),
      name: 'data',
      kind: 'raw',
      uri: `${uri}/data`,
      itemCount: rawCount,
    },
    ...layout.processed.map((p) => ({
      id: String(p.datasetId),
      name: p.name,
      kind: 'processed' as const,
      uri: omeroUri(layout.server, 'dataset', p.datasetId),
      itemCount: processedCounts.get(p.datasetId) ?? 0,
    })),
  ];
}

/** The Experiment record of a layout. */
export function experimentOf(layout: ExperimentLayout, datasets: readonly DatasetInfo[]): Experiment {
  return {
    id: String(layout.project['@id']),
    uri: experimentUri(layout),
    name: layout.project.Name ?? '',
    author: layout.author,
    date: layout.date,
    keys: layout.keys,
    datasets,
  };
}
