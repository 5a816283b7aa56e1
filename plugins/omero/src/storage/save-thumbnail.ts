import { StorageError } from '@bioimageit/core';
import { itemPairs, itemRecord, outputPairs, parseItemId } from './item-records.js';
import { NS_ITEM, NS_OUTPUT } from './omero-model.js';
import { omeroUri, parseOmeroUri } from './omero-uri.js';
import type { ExperimentAccess } from './store-access.js';

/** What saving a thumbnail uses of the experiment. */
export type ThumbnailAccess = Pick<ExperimentAccess, 'ctx' | 'getItem' | 'outputs' | 'serialized'>;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The file annotation id of a thumbnail URI we recorded (`omero://server/annotation/<id>`). */
function thumbnailAnnotation(uri: string | undefined): number | undefined {
  if (uri === undefined) return undefined;
  try {
    const ref = parseOmeroUri(uri);
    return ref.kind === 'annotation' ? ref.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores a PNG thumbnail of an item as a FileAnnotation (on the Image for raw items, on the
 * processed Dataset for processed ones) and records its `omero://server/annotation/<id>` URI in
 * the item's record (our namespace), only once the upload is complete; the previous thumbnail
 * annotation is deleted afterwards. Saves of one item are serialized; NOT_FOUND for an unknown
 * item, INVALID for bytes that are not PNG.
 */
export async function saveThumbnailOf(store: ThumbnailAccess, itemId: string, png: Uint8Array): Promise<string> {
  if (png.length < 8 || !PNG_SIGNATURE.every((b, i) => png[i] === b)) {
    throw new StorageError('INVALID', `thumbnail of item '${itemId}' is not PNG data`, { details: { item: itemId } });
  }
  const item = await store.getItem(itemId);
  const ref = parseItemId(item.id)!;
  const { repo, server } = store.ctx;
  return store.serialized(`item:${item.id}`, async () => {
    if (ref.kind === 'image') {
      const fileId = await repo.attachFile([['image', ref.id]], `bioimageit-thumbnail-${ref.id}.png`, png, 'image/png');
      const uri = omeroUri(server, 'annotation', fileId);
      const [current] = await repo.annotations('image', [ref.id], 'map', NS_ITEM);
      const record = itemRecord(current?.values);
      const pairs = itemPairs({ ...record, thumbnail: uri });
      if (current === undefined) await repo.createMap('image', [ref.id], NS_ITEM, pairs);
      else await repo.updateMap('image', ref.id, current.id, NS_ITEM, pairs);
      await removeOld(store, thumbnailAnnotation(record.thumbnail));
      return uri;
    }
    const output = (await store.outputs()).find((o) => o.record.fileAnnotation === ref.id)!;
    const fileId = await repo.attachFile([['dataset', output.dataset.datasetId]], `bioimageit-thumbnail-${item.name}.png`, png, 'image/png');
    const uri = omeroUri(server, 'annotation', fileId);
    await repo.updateMap('dataset', output.dataset.datasetId, output.annId, NS_OUTPUT, outputPairs({ ...output.record, thumbnail: uri }));
    await removeOld(store, thumbnailAnnotation(output.record.thumbnail));
    return uri;
  });
}

async function removeOld(store: ThumbnailAccess, annId: number | undefined): Promise<void> {
  if (annId !== undefined) await store.ctx.repo.deleteFileAnnotation(annId).catch(() => undefined);
}
