import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { mapConcurrent, StorageError } from '@bioimageit/core';
import { writeFileAtomicStamped } from './atomic-write.js';
import type { IndexRecord } from './experiment-index.js';
import { readItemFile, type ExperimentState } from './experiment-state.js';
import type { ExperimentView } from './experiment-view.js';
import type { CommitOutcome } from './group-commit.js';
import { assertValidName, fileUri } from './path-safety.js';
import { storageFailure } from './storage-failure.js';
import { withThumbnail } from './v1-item-mapping.js';

/** One `saveThumbnail` call. */
export interface ThumbnailRequest {
  readonly itemId: string;
  readonly png: Uint8Array;
}

/** What a batch of thumbnails wrote: one outcome per request, and the index records to commit. */
export interface ThumbnailWrites {
  readonly outcomes: CommitOutcome<string>[];
  readonly records: IndexRecord[];
}

/**
 * Stores a batch of thumbnails under the experiment lock: each PNG goes atomically to
 * `.bioimageit/thumbnails/<item id>.png`, then the item file (re-read from disk, so edits made
 * outside this backend are kept) is rewritten atomically with `bioimageit_ts.thumbnail`, the
 * PNG's path relative to the item file's folder. The PNG exists before any item file names it.
 * An unknown id fails alone with NOT_FOUND, an id unusable as a file name with INVALID; a request
 * for an id given twice in one batch is superseded by the later one (both resolve to the URI).
 */
export async function writeThumbnails(
  requests: readonly ThumbnailRequest[],
  state: ExperimentState,
  view: ExperimentView,
  options: { readonly concurrency: number; readonly fsync: boolean },
): Promise<ThumbnailWrites> {
  const latest = new Map<string, ThumbnailRequest>();
  for (const request of requests) latest.set(request.itemId, request);
  const byId = new Map<string, CommitOutcome<string>>();
  const records: IndexRecord[] = [];
  const ids = [...latest.keys()];
  if (ids.some((id) => view.document(id, state.refs, state.index.datasets) !== undefined)) await mkdir(state.layout.thumbnailsDir, { recursive: true });
  await mapConcurrent(ids, options.concurrency, async (id) => {
    try {
      const record = await writeOne(latest.get(id) as ThumbnailRequest, state, view, options.fsync);
      records.push(record.index);
      byId.set(id, { ok: true, value: record.uri });
    } catch (error) {
      byId.set(id, { ok: false, error });
    }
  });
  return { outcomes: requests.map((r) => byId.get(r.itemId) as CommitOutcome<string>), records };
}

async function writeOne(request: ThumbnailRequest, state: ExperimentState, view: ExperimentView, fsync: boolean): Promise<{ uri: string; index: IndexRecord }> {
  const found = view.document(request.itemId, state.refs, state.index.datasets);
  if (found === undefined) {
    throw new StorageError('NOT_FOUND', `no item '${request.itemId}' in experiment '${state.layout.root}'; no thumbnail was stored`, {
      details: { itemId: request.itemId, experiment: state.layout.uri },
    });
  }
  assertValidName(request.itemId, 'thumbnail (item id)');
  const png = path.join(state.layout.thumbnailsDir, `${request.itemId}.png`);
  try {
    await writeFileAtomicStamped(png, request.png, { fsync });
  } catch (error) {
    throw storageFailure(error, 'write the thumbnail', png);
  }
  const fresh = await readItemFile(found.file);
  const current = fresh !== null && fresh.uuid === found.doc.uuid ? fresh : found.doc;
  const url = path.relative(path.dirname(found.file), png).split(path.sep).join('/');
  const doc = withThumbnail(current, url);
  await state.writeV1(found.file, doc);
  return { uri: fileUri(png), index: { op: 'item', key: found.ref.key, entry: found.entry, doc } };
}
