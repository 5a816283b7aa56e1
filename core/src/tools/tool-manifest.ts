/**
 * Values and helpers of the tool manifest, whose types are in `model/tool-manifest.ts` (re-exported
 * here, so `tools/tool-manifest.js` keeps offering the whole manifest API).
 */
import type { ToolInputType, ToolInput, ToolTestCompare, ToolManifest } from '../model/tool-manifest.js';

export type * from '../model/tool-manifest.js';

/** The input types, in the order the schema and error messages list them. */
export const TOOL_INPUT_TYPES: readonly ToolInputType[] = ['data', 'int', 'float', 'string', 'bool', 'choice'];

/** The comparison modes, in schema order. */
export const TOOL_TEST_COMPARES: readonly ToolTestCompare[] = ['same_size', 'sim_content', 'sim_size', 'exists'];

/** True for inputs that are parameters (everything but data). */
export function isParameter(input: ToolInput): boolean {
  return input.type !== 'data';
}

/** The v1 tool key `{id}_v{version}` (`biitcopy_v1.0.0`), accepted wherever a tool id is. */
export function v1ToolKey(manifest: Pick<ToolManifest, 'id' | 'version'>): string {
  return `${manifest.id}_v${manifest.version}`;
}
