import { mapConcurrent, type Tags, type TagUpdate } from '@bioimageit/core';
import { outputPairs, parseItemId } from './item-records.js';
import { NS_CLIENT, NS_OUTPUT } from './omero-model.js';
import { byImage } from './raw-items.js';
import type { ExperimentAccess } from './store-access.js';
import { editTags, type TagMap } from './tag-pairs.js';

function applied(tags: Tags, set: Tags = {}, remove: readonly string[] = []): Tags {
  const out: Record<string, string> = { ...tags };
  for (const k of remove) if (!(k in set)) delete out[k];
  return { ...out, ...set };
}

/**
 * Applies tag edits: every item id is checked first (NOT_FOUND names the first unknown one and
 * nothing is written), then raw items' client-namespace maps are edited in place (other
 * namespaces untouched; one annotation read per batch of images, one write per changed map) and
 * processed items' own tags rewritten in their output record. Edits in this process are
 * serialized; a network failure part-way leaves earlier items edited (OMERO.web has no transactions).
 */
export async function applyTagUpdates(store: Pick<ExperimentAccess, 'ctx' | 'checkItemIds' | 'serialized'>, updates: readonly TagUpdate[]): Promise<void> {
  const { repo } = store.ctx;
  const refs = updates.map((u) => ({ update: u, ref: parseItemId(u.itemId) }));
  await store.serialized('tags', async () => {
    const outputs = await store.checkItemIds(updates.map((u) => u.itemId));
    const images = refs.filter((r) => r.ref!.kind === 'image');
    const files = refs.filter((r) => r.ref!.kind === 'file');

    const imageIds = [...new Set(images.map((r) => r.ref!.id))];
    const anns = imageIds.length === 0 ? new Map() : byImage(await repo.annotations('image', imageIds, 'map', NS_CLIENT));
    await mapConcurrent(imageIds, 4, async (imageId) => {
      const entry = anns.get(imageId);
      let maps: TagMap[] = entry?.tagMaps ?? [];
      const editable = new Set<number>(entry?.editable ?? []);
      for (const { update } of images.filter((r) => r.ref!.id === imageId)) {
        const write = editTags(maps, editable, update.set, update.remove);
        for (const u of write.updates) await repo.updateMap('image', imageId, u.annId, NS_CLIENT, u.pairs);
        maps = maps.map((m) => write.updates.find((u) => u.annId === m.annId) ?? m).filter((m) => m.pairs.length > 0);
        if (write.create) {
          const [annId] = await repo.createMap('image', [imageId], NS_CLIENT, write.create);
          if (annId !== undefined) {
            maps.push({ annId, pairs: write.create });
            editable.add(annId);
          }
        }
      }
    });

    const own = new Map<string, Tags>();
    for (const { update } of files) {
      const output = outputs.get(update.itemId)!;
      own.set(update.itemId, applied(own.get(update.itemId) ?? output.record.ownTags, update.set, update.remove));
    }
    for (const [itemId, ownTags] of own) {
      const output = outputs.get(itemId)!;
      await repo.updateMap('dataset', output.dataset.datasetId, output.annId, NS_OUTPUT, outputPairs({ ...output.record, ownTags }));
    }
  });
}
