import { mapConcurrent, StorageError, type TagUpdate } from '@bioimageit/core';
import { readItemFile, type ExperimentState } from './experiment-state.js';
import type { ExperimentView } from './experiment-view.js';
import type { V1DatasetEntry, V1ItemDoc } from './v1-documents.js';
import { withTagEdits } from './v1-item-mapping.js';

/** One item file rewritten by a tag update, for the index. */
export interface TagEdit {
  readonly key: string;
  readonly entry: V1DatasetEntry;
  readonly file: string;
  doc: V1ItemDoc;
}

/**
 * Applies tag updates under the lock: every id is resolved first (NOT_FOUND before anything is
 * written), each item file is re-read from disk so that edits made outside this backend are
 * kept, the edits are applied in order, then the files are rewritten atomically.
 */
export async function applyTagUpdates(updates: readonly TagUpdate[], view: ExperimentView, state: ExperimentState, concurrency: number): Promise<TagEdit[]> {
  const targets = new Map<string, TagEdit>();
  for (const update of updates) {
    if (targets.has(update.itemId)) continue;
    const found = view.document(update.itemId, state.refs, state.index.datasets);
    if (found === undefined) {
      throw new StorageError('NOT_FOUND', `no item '${update.itemId}' in experiment '${state.layout.root}'; no tag was changed`, {
        details: { itemId: update.itemId, experiment: state.layout.uri },
      });
    }
    targets.set(update.itemId, { key: found.ref.key, entry: found.entry, file: found.file, doc: found.doc });
  }
  const edits = [...targets.values()];
  await mapConcurrent(edits, concurrency, async (edit) => {
    const fresh = await readItemFile(edit.file);
    if (fresh !== null && fresh.uuid === edit.doc.uuid) edit.doc = fresh;
  });
  for (const update of updates) {
    const edit = targets.get(update.itemId) as TagEdit;
    edit.doc = withTagEdits(edit.doc, update.set ?? {}, update.remove ?? []);
  }
  await mapConcurrent(edits, concurrency, (edit) => state.writeV1(edit.file, edit.doc));
  return edits;
}
