import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExperimentStore, NewProcessedItem, Tags } from '@bioimageit/core';

export { sampleRunRecord as runRecord } from '@bioimageit/core/testing';

let counter = 0;

/**
 * A job output `name` made by run `runId` from the items `inputIds` (input `i`), written into
 * `dir` (a fresh staging folder of `store` when omitted).
 */
export async function stagedOutput(
  store: ExperimentStore,
  name: string,
  runId: string,
  inputIds: readonly string[],
  options: { tags?: Tags; dir?: string } = {},
): Promise<NewProcessedItem> {
  const dir = options.dir ?? (await store.createStagingDir(`job-${name}`));
  const bytes = Buffer.from(`output ${name} #${++counter}`);
  const sourcePath = path.join(dir, name);
  await writeFile(sourcePath, bytes);
  return {
    sourcePath,
    name,
    format: 'imagetiff',
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    metadata: { shape: [2, 2], dtype: 'uint8', axes: 'YX' },
    ...(options.tags === undefined ? {} : { tags: options.tags }),
    author: 'tester',
    date: '2024-05-06',
    origin: {
      runId,
      inputs: inputIds.map((id) => ({ name: 'i', id })),
      output: { name: 'o', label: 'Binary image' },
      job: { id: `job-${counter}`, cacheKey: `key-${counter}` },
    },
  };
}
