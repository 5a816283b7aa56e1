import { createHash } from 'node:crypto';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem } from '../model/data-item.js';
import { canonicalJson } from '../tools/manifest-digest.js';
import type { ToolParamValue } from '../tools/tool-manifest.js';
import { hashFile } from './hash-file.js';
import type { JobPlan } from './run-request.js';

/**
 * Checksums of input items: the stored sha256, or (for items stored without one, as v1 wrote
 * them) the hash of the localized file, computed once per item.
 */
export class InputChecksums {
  private readonly known = new Map<string, Promise<string>>();

  constructor(private readonly store: ExperimentStore) {}

  of(item: DataItem): Promise<string> {
    if (item.sha256 !== undefined && item.sha256 !== '') return Promise.resolve(item.sha256);
    let pending = this.known.get(item.id);
    if (pending === undefined) {
      pending = this.store.localize(item).then(async (path) => (await hashFile(path)).sha256);
      this.known.set(item.id, pending);
    }
    return pending;
  }
}

/**
 * The content key of a job: lower-case hex sha256 of the canonical JSON of the tool digest, the
 * typed parameters and, per input name, the sorted sha256s of the items bound to it (`grouped` is
 * added for group jobs, whose inputs reach the tool as list files; `environment` when the runner
 * gives an environment key, see Runner.environmentKey). Two jobs with the same key compute the
 * same outputs, so the second is served from the first's.
 */
export async function jobCacheKey(
  toolDigest: string,
  params: Readonly<Record<string, ToolParamValue>>,
  plan: JobPlan,
  checksums: InputChecksums,
  environment?: string,
): Promise<string> {
  const inputs: Record<string, string[]> = {};
  for (const [name, items] of Object.entries(plan.bindings)) {
    inputs[name] = (await Promise.all(items.map((item) => checksums.of(item)))).sort();
  }
  const body = { tool: toolDigest, params, inputs, ...(plan.grouped && { grouped: true }), ...(environment !== undefined && { environment }) };
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}
