import { readFile } from 'node:fs/promises';
import { StorageError, type DataItem, type NewProcessedItem, type OriginInput, type ProcessedOrigin, type Tags } from '@bioimageit/core';
import type { ProcessedDataset } from './experiment-layout.js';
import { outputPairs, parseItemId, type OutputRecord } from './item-records.js';
import { uniqueName } from './name-rules.js';
import { NS_OUTPUT, type ParentKind } from './omero-model.js';
import { listOutputs, processedItem, rawTags, type StoredOutput } from './processed-items.js';
import { omeroUri } from './omero-uri.js';
import type { ExperimentAccess } from './store-access.js';

const MIME: Record<string, string> = { imagetiff: 'image/tiff', imagepng: 'image/png', tablecsv: 'text/csv', numbercsv: 'text/csv' };

/**
 * Commits job outputs into processed Dataset `target`: each file is attached as a FileAnnotation
 * to its source Images (the raw roots of its inputs) and to the processed Dataset, then described
 * by a MapAnnotation in our namespace (name, format, checksum, tags, origin, run, tool) on the
 * Dataset and, as provenance, on each source Image. Every origin input is checked first, without
 * fetching it (NOT_FOUND naming it, nothing written). All or none: when a step fails, what this call created
 * is deleted again.
 */
export async function commitOutputs(
  store: Pick<ExperimentAccess, 'uri' | 'ctx' | 'layout' | 'checkItemIds' | 'knownRun'>,
  target: ProcessedDataset,
  items: readonly NewProcessedItem[],
): Promise<DataItem[]> {
  if (items.length === 0) return [];
  const { repo, server } = store.ctx;
  const layout = await store.layout();
  await store.checkItemIds([...new Set(items.flatMap((i) => i.origin.inputs.map((x) => x.id)))]);
  const outputs = await listOutputs(repo, layout.processed);
  const byFile = new Map(outputs.map((o) => [`file-${o.record.fileAnnotation}`, o]));
  const taken = new Set(outputs.filter((o) => o.dataset.datasetId === target.datasetId).map((o) => o.record.name));

  const created: { files: number[]; maps: [ParentKind, number, number][] } = { files: [], maps: [] };
  const stored: StoredOutput[] = [];
  try {
    for (const item of items) {
      const name = uniqueName(item.name, taken);
      const originInputs: OriginInput[] = item.origin.inputs.map((x) => {
        const ref = parseItemId(x.id)!;
        return {
          name: x.name,
          id: x.id,
          uri: omeroUri(server, ref.kind === 'image' ? 'image' : 'annotation', ref.id),
          type: ref.kind === 'image' ? 'raw' : 'processed',
        };
      });
      const roots = [...new Set(originInputs.map((x) => rootImage(x.id, byFile)).filter((r): r is number => r !== undefined))];
      const parentOwn: Tags = Object.assign({}, ...originInputs.map((x) => byFile.get(x.id)?.record.ownTags ?? {}));
      const origin: ProcessedOrigin = {
        type: 'processed',
        run: { id: item.origin.runId, uri: `${store.uri}/runs/${encodeURIComponent(item.origin.runId)}` },
        inputs: originInputs,
        output: item.origin.output,
        ...(item.origin.job !== undefined && { job: item.origin.job }),
      };
      const bytes = await readFile(item.sourcePath).catch((err: NodeJS.ErrnoException) => {
        throw new StorageError('IO', `cannot read job output ${item.sourcePath}: ${err.code ?? err.message}`, { details: { file: item.sourcePath } });
      });
      const targets: [ParentKind, number][] = [...roots.map((r): [ParentKind, number] => ['image', r]), ['dataset', target.datasetId]];
      const fileAnnotation = await repo.attachFile(targets, name, bytes, MIME[item.format] ?? 'application/octet-stream');
      created.files.push(fileAnnotation);
      const run = store.knownRun(item.origin.runId);
      const record: OutputRecord = {
        fileAnnotation,
        name,
        format: item.format,
        author: item.author,
        date: item.date,
        size: item.size,
        sha256: item.sha256,
        metadata: item.metadata,
        ownTags: { ...parentOwn, ...(item.tags ?? {}) },
        origin,
        ...(roots[0] !== undefined && { rootImage: roots[0] }),
        ...(run !== undefined && { tool: `${run.tool.id} ${run.tool.version}` }),
      };
      const pairs = outputPairs(record);
      const [annId] = await repo.createMap('dataset', [target.datasetId], NS_OUTPUT, pairs);
      if (annId === undefined)
        throw new StorageError('IO', `OMERO.web did not record output '${name}' on dataset ${target.datasetId}`, { details: { item: name } });
      created.maps.push(['dataset', target.datasetId, annId]);
      if (roots.length > 0) {
        const provenance = await repo.createMap('image', roots, NS_OUTPUT, pairs);
        provenance.forEach((id, i) => created.maps.push(['image', roots[i]!, id]));
      }
      stored.push({ annId, dataset: target, record });
    }
  } catch (err) {
    for (const [kind, objectId, annId] of created.maps) await repo.updateMap(kind, objectId, annId, NS_OUTPUT, []).catch(() => undefined);
    for (const id of created.files) await repo.deleteFileAnnotation(id).catch(() => undefined);
    throw err;
  }
  const tags = await rawTags(
    repo,
    stored.flatMap((s) => (s.record.rootImage === undefined ? [] : [s.record.rootImage])),
  );
  return stored.map((s) => processedItem(server, s, tags));
}

/** The raw Image a (raw or processed) item descends from. */
function rootImage(itemId: string, outputs: ReadonlyMap<string, StoredOutput>): number | undefined {
  const ref = parseItemId(itemId);
  if (ref?.kind === 'image') return ref.id;
  return outputs.get(itemId)?.record.rootImage;
}
