import type { NewProcessedItem, Tags } from '@bioimageit/core';
import type { ItemFileNames } from './unique-file-names.js';
import { EXTRAS_KEY, type V1ItemDoc, type V1ItemExtras, type V1ProcessedOrigin } from './v1-documents.js';

/** One entry of a processed item's `origin.inputs`, as v1 writes it. */
export type V1OriginInput = V1ProcessedOrigin['inputs'][number];

/** Where the origin of a new processed item points, as urls relative to the item file. */
export interface ProcessedOriginLinks {
  /** The run file (`run.md.json`, `run_1.md.json`...), or `''` when the run was not saved. */
  readonly runUrl: string;
  /** One entry per `origin.inputs` of the new item, in the same order. */
  readonly inputs: readonly V1OriginInput[];
  /**
   * For an item made from several inputs: the tags they all share. It is then recorded with
   * these tags (under its own) and marked as inheriting nothing; absent: it inherits its origin's.
   */
  readonly sharedTags?: Tags;
}

/**
 * The v1 document of a new processed item, keys in v1's order (`uuid`, `common`, `origin`), then
 * what v1 has no field for under the extras key: size, sha256, the item's own tags (when it has
 * some; with `links.sharedTags`, those overlaid on its own and `inheritsTags: false`), the job
 * that made it and the format metadata. As v1, `common.name` is the output's stem
 * (`o_population1_001`) and `common.url` its file name beside the item file. v1 ignores the
 * extras: it shows such an item with the tags of `origin.inputs[0]`, as it shows every output.
 */
export function newProcessedItemDoc(uuid: string, input: NewProcessedItem, names: ItemFileNames, date: string, links: ProcessedOriginLinks): V1ItemDoc {
  const tags = { ...(links.sharedTags ?? {}), ...(input.tags ?? {}) };
  const extras: V1ItemExtras = {
    size: input.size,
    sha256: input.sha256,
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
    ...(links.sharedTags !== undefined ? { inheritsTags: false as const } : {}),
    job: { id: input.origin.job.id, cacheKey: input.origin.job.cacheKey },
    metadata: { ...input.metadata },
  };
  return {
    uuid,
    common: { name: names.stem, author: input.author, date, format: input.format, url: names.name },
    origin: {
      type: 'processed',
      run: { url: links.runUrl, uuid: input.origin.runId },
      inputs: links.inputs.map((i) => ({ name: i.name, url: i.url, uuid: i.uuid, type: i.type })),
      output: { name: input.origin.output.name, label: input.origin.output.label },
    },
    [EXTRAS_KEY]: extras,
  };
}
