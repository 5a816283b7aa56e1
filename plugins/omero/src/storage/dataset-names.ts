import { StorageError } from '@bioimageit/core';
import { experimentUri, type ExperimentLayout, type ProcessedDataset } from './experiment-layout.js';
import type { OmeroDataset } from './omero-model.js';
import { parseOmeroUri } from './omero-uri.js';

/**
 * What a dataset name of an OMERO experiment stands for: raw images (`data`: every raw Dataset
 * together; a raw Dataset's own OMERO name or id: that Dataset alone) or one processed Dataset.
 */
export type DatasetTarget =
  { readonly kind: 'raw'; readonly datasets: readonly OmeroDataset[] } | { readonly kind: 'processed'; readonly dataset: ProcessedDataset };

/** One Dataset of the experiment as messages list it. */
interface Listed {
  readonly name: string;
  readonly id: number;
  readonly kind: 'raw' | 'processed';
}

function listed(layout: ExperimentLayout): Listed[] {
  return [
    ...layout.raw.map((d) => ({ name: d.Name ?? String(d['@id']), id: d['@id'], kind: 'raw' as const })),
    ...layout.processed.map((p) => ({ name: p.name, id: p.datasetId, kind: 'processed' as const })),
  ];
}

function target(layout: ExperimentLayout, hit: Listed): DatasetTarget {
  if (hit.kind === 'processed') return { kind: 'processed', dataset: layout.processed.find((p) => p.datasetId === hit.id)! };
  return { kind: 'raw', datasets: layout.raw.filter((d) => d['@id'] === hit.id) };
}

/** The OMERO Dataset id a name spells, if it is an id form: `1005`, `dataset-1005` or `omero://server/dataset/1005`. */
function idForm(name: string, server: string): number | undefined {
  const plain = /^(?:dataset-)?(\d+)$/.exec(name);
  if (plain) return Number(plain[1]);
  if (!name.startsWith('omero://')) return undefined;
  try {
    const ref = parseOmeroUri(name);
    return ref.server === server && ref.kind === 'dataset' && ref.rest.length === 0 ? ref.id : undefined;
  } catch {
    return undefined;
  }
}

/** `'Plate 1' (raw, id 1005)`, for messages. */
function describe(d: Listed): string {
  return `'${d.name}' (${d.kind}, id ${d.id})`;
}

/**
 * Resolves a dataset name of the experiment: `data` (all raw images), then the OMERO name of one
 * of its Datasets (processed or raw), then an id form (`1005`, `dataset-1005`, the Dataset's
 * `omero://` URI). Throws StorageError INVALID when the name is shared by several Datasets (the
 * message lists them with their ids, one of which names it uniquely), NOT_FOUND listing every
 * dataset name and id when nothing matches.
 */
export function resolveDataset(layout: ExperimentLayout, name: string): DatasetTarget {
  const uri = experimentUri(layout);
  // `data`, and the id and URI the raw dataset is listed with when the Project has no raw Dataset
  if (name === 'data' || name === `${uri}/data` || name === `${layout.project['@id']}-data`) return { kind: 'raw', datasets: layout.raw };
  const all = listed(layout);
  const named = all.filter((d) => d.name === name);
  if (named.length === 1) return target(layout, named[0]!);
  if (named.length > 1) {
    throw new StorageError(
      'INVALID',
      `${named.length} datasets of experiment ${uri} are named '${name}': ${named.map(describe).join(', ')}; name one by its id (e.g. '${named[0]!.id}')`,
      { details: { dataset: name, experiment: uri, ids: named.map((d) => d.id) } },
    );
  }
  const id = idForm(name, layout.server);
  const byId = id === undefined ? undefined : all.find((d) => d.id === id);
  if (byId !== undefined) return target(layout, byId);
  const known = ["'data' (all raw images)", ...all.map(describe)].join(', ');
  throw new StorageError('NOT_FOUND', `no dataset '${name}' in experiment ${uri}; its datasets: ${known}`, {
    details: { dataset: name, experiment: uri, datasets: ['data', ...all.map((d) => d.name)] },
  });
}

/**
 * The processed dataset `name` names (by name or id form); StorageError NOT_FOUND when it names
 * raw images or nothing, INVALID when the name is shared.
 */
export function resolveProcessed(layout: ExperimentLayout, name: string): ProcessedDataset {
  const found = resolveDataset(layout, name);
  if (found.kind === 'processed') return found.dataset;
  const uri = experimentUri(layout);
  const processed = layout.processed.map((p) => `'${p.name}'`).join(', ') || 'none';
  throw new StorageError('NOT_FOUND', `no processed dataset '${name}' in experiment ${uri}: it names raw images (processed datasets: ${processed})`, {
    details: { dataset: name, experiment: uri },
  });
}
