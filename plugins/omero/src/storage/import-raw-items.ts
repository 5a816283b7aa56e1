import { StorageError, type DataItem, type NewRawItem } from '@bioimageit/core';
import { itemPairs } from './item-records.js';
import { uniqueName } from './name-rules.js';
import { NS_CLIENT, NS_DATASET, NS_ITEM } from './omero-model.js';
import { NO_IMPORT_OVER_WEB } from './omero-importer.js';
import { getImages, listImages, rawItem } from './raw-items.js';
import type { ExperimentAccess } from './store-access.js';

/** What importing raw items uses of the experiment. */
export type ImportAccess = Pick<ExperimentAccess, 'uri' | 'ctx' | 'layout'>;

/** The raw Dataset new images go to, created (`data`, marked raw) when the Project has none. */
async function importTarget(store: ImportAccess): Promise<number> {
  const layout = await store.layout();
  if (layout.rawTarget !== undefined) return layout.rawTarget;
  const { repo, projectId } = store.ctx;
  const group = layout.project['omero:details']?.group?.['@id'] ?? repo.client.group ?? -1;
  const datasetId = await repo.create('Dataset', 'data', group);
  await repo.linkDataset(projectId, datasetId);
  await repo.createMap('dataset', [datasetId], NS_DATASET, [
    ['kind', 'raw'],
    ['written by', 'BioImageIT'],
  ]);
  await store.layout(true);
  return datasetId;
}

/**
 * Imports raw items with `omero import` (OMERO.web cannot create Images), one file at a time, then
 * writes each Image's tags (client-namespace map) and item record (our namespace). Names taken in
 * the raw dataset get `_1`, `_2`... All or none: when any step fails, the Images already imported
 * by this call are deleted again and the error names the file.
 */
export async function importRawItems(store: ImportAccess, items: readonly NewRawItem[]): Promise<DataItem[]> {
  const importer = await store.ctx.importer();
  if (importer === undefined) {
    throw new StorageError('UNSUPPORTED', `cannot add ${items.length} item(s) to ${store.uri}: ${NO_IMPORT_OVER_WEB}`, {
      details: { experiment: store.uri, file: items[0]?.sourcePath },
    });
  }
  const { repo } = store.ctx;
  const datasetId = await importTarget(store);
  const layout = await store.layout();
  const existing = await listImages(
    repo,
    layout.raw.map((d) => d['@id']),
  );
  const taken = new Set(existing.images.map((i) => i.Name ?? ''));
  const names = items.map((i) => uniqueName(i.name, taken));
  const { host, port } = await repo.client.iceServer();
  const sessionKey = repo.client.currentSessionKey!;
  const imported: number[] = [];
  try {
    for (const [index, item] of items.entries()) {
      const ids = await importer.importFile({ host, port, sessionKey, datasetId }, item.sourcePath, names[index]!);
      imported.push(...ids);
      if (ids.length !== 1)
        throw new StorageError(
          'UNSUPPORTED',
          `${item.sourcePath} became ${ids.length} OMERO Images (a multi-series file); import it with OMERO's tools and tag the images here`,
          { details: { file: item.sourcePath } },
        );
      const imageId = ids[0]!;
      const tags = Object.entries(item.tags);
      if (tags.length > 0) await repo.createMap('image', [imageId], NS_CLIENT, tags);
      const record = itemPairs({ format: item.format, author: item.author, date: item.date, size: item.size, sha256: item.sha256, metadata: item.metadata });
      await repo.createMap('image', [imageId], NS_ITEM, record);
    }
  } catch (err) {
    await repo.deleteMany('image', imported).catch(() => undefined);
    if (err instanceof StorageError) throw err;
    throw new StorageError('IO', repo.client.redactor.clean(`importing into ${store.uri} failed: ${(err as Error).message}`), {
      details: { experiment: store.uri },
    });
  }
  const { images, anns } = await getImages(repo, imported);
  return images.map((i) => rawItem(store.ctx.server, i, anns.get(i['@id'])));
}
