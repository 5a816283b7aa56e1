import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sharedTags, StorageError, type NewProcessedItem, type Tags } from '@bioimageit/core';
import type { ExperimentState } from './experiment-state.js';
import { RUN_LOGS_DIR, type DatasetRef } from './experiment-layout.js';
import type { ExperimentView } from './experiment-view.js';
import { toUnixRelative } from './path-safety.js';
import type { PlannedProcessedItem } from './processed-item-files.js';
import { newProcessedItemDoc, type V1OriginInput } from './processed-item-mapping.js';
import type { RunFiles } from './run-files.js';
import { UniqueFileNames } from './unique-file-names.js';

/** What planning a commit of job outputs needs (all read under the experiment lock). */
export interface CommitContext {
  readonly state: ExperimentState;
  readonly view: ExperimentView;
  readonly runs: RunFiles;
}

/**
 * Plans the commit of job outputs into processed dataset `ref`, touching no file: resolves every
 * origin input id (NOT_FOUND naming the first unknown one, before anything is written), links
 * each item to its run file (when the run was saved) and its inputs by urls relative to the
 * dataset folder, and gives each output a name unique in the dataset (not taken by an item, a
 * run file, `logs` or the dataset file). An output made from several input items records the
 * tags they all share and inherits nothing (see `V1ItemExtras.inheritsTags`). Costs O(items in
 * the dataset) for the names, like the dataset file rewrite that commits them.
 */
export async function planProcessedCommit(
  ref: DatasetRef,
  inputs: readonly NewProcessedItem[],
  dates: readonly string[],
  context: CommitContext,
): Promise<PlannedProcessedItem[]> {
  const { state, runs } = context;
  const indexed = state.index.datasets.get(ref.key);
  const dir = path.dirname(ref.file);
  const origins = inputs.map((input) => originInputs(input, dir, context));
  const runFiles = await runs.list(ref, (name) => indexed?.positions.has(name) ?? false);
  const runUrls = new Map<string, string>();
  for (const run of runFiles) if (run.doc !== undefined && !runUrls.has(run.doc.uuid)) runUrls.set(run.doc.uuid, run.name);
  const names = UniqueFileNames.forDataset(indexed, path.basename(ref.file), [...runFiles.map((r) => r.name), RUN_LOGS_DIR]);
  const memo = new Map<string, Tags>();
  return inputs.map((input, i) => {
    const allocated = names.allocate(input.name);
    const shared = inputsSharedTags(input, context, memo);
    const links = { runUrl: runUrls.get(input.origin.runId) ?? '', inputs: origins[i] as V1OriginInput[], ...(shared !== undefined && { sharedTags: shared }) };
    return { input, names: allocated, doc: newProcessedItemDoc(randomUUID(), input, allocated, dates[i] as string, links) };
  });
}

/**
 * For an output made from several input items: the (effective) tags they all share, which it
 * records instead of inheriting those of its first input. Broadcast inputs (a PSF given to every
 * job) are left out: an output takes the tags of what it was paired from. Undefined for a
 * single-input output.
 */
function inputsSharedTags(input: NewProcessedItem, { state, view }: CommitContext, memo: Map<string, Tags>): Tags | undefined {
  const paired = input.origin.inputs.filter((i) => i.broadcast !== true);
  const broadcast = paired.length > 0 && paired.length < input.origin.inputs.length;
  const ids = [...new Set((paired.length > 0 ? paired : input.origin.inputs).map((i) => i.id))];
  if (ids.length < 2 && !broadcast) return undefined;
  const tagsOf = (id: string): Tags => {
    const located = view.document(id, state.refs, state.index.datasets);
    return located === undefined ? {} : view.item(located, state.refs, state.index.datasets, memo).tags;
  };
  return sharedTags(ids.map(tagsOf));
}

function originInputs(input: NewProcessedItem, dir: string, { state, view }: CommitContext): V1OriginInput[] {
  return input.origin.inputs.map(({ name, id }) => {
    const found = view.document(id, state.refs, state.index.datasets);
    if (found === undefined) {
      throw new StorageError(
        'NOT_FOUND',
        `no item '${id}' (input '${name}' of output '${input.name}') in experiment '${state.layout.root}'; nothing was committed`,
        {
          details: { itemId: id, experiment: state.layout.uri },
        },
      );
    }
    return { name, url: toUnixRelative(dir, found.file), uuid: found.doc.uuid, type: found.doc.origin.type === 'processed' ? 'processed' : 'raw' };
  });
}
