import { isParameter, type ToolInput, type ToolManifest } from '@bioimageit/core';
import type { JsonSchema } from '../http/json-schema.js';

/** Extra form hints a GUI reads next to the standard JSON Schema keywords. */
export interface ParameterFormHints {
  /** Shown in a collapsed "advanced" section (v1's optional parameters). */
  readonly 'x-advanced'?: boolean;
  /** The v1 command-line flag the parameter came from. */
  readonly 'x-argument'?: string;
  /** Labels of a choice's values, in `enum` order. */
  readonly 'x-enum-labels'?: readonly string[];
}

/**
 * The JSON Schema of the `params` object a run of `tool` takes: one property per parameter input
 * (`int` → integer, `float` → number, `bool` → boolean, `choice` → string enum, `string` →
 * string) with its label as `title`, help as `description`, default and bounds; required lists
 * parameters without a default that are not optional. Data inputs are not parameters and are left
 * out. The GUI builds its run form from this schema; the engine checks values with the manifest.
 */
export function parameterSchema(tool: ToolManifest): JsonSchema & { readonly properties: Readonly<Record<string, JsonSchema & ParameterFormHints>> } {
  const properties: Record<string, JsonSchema & ParameterFormHints> = {};
  const required: string[] = [];
  for (const input of tool.inputs.filter(isParameter)) {
    properties[input.name] = propertyOf(input);
    if (input.default === undefined && input.optional !== true) required.push(input.name);
  }
  return { type: 'object', additionalProperties: false, properties, required };
}

function propertyOf(input: ToolInput): JsonSchema & ParameterFormHints {
  const base = {
    title: input.label ?? input.name,
    ...(input.help !== undefined && { description: input.help }),
    ...(input.default !== undefined && { default: input.default }),
    ...(input.advanced === true && { 'x-advanced': true }),
    ...(input.argument !== undefined && { 'x-argument': input.argument }),
  };
  const bounds = { ...(input.min !== undefined && { minimum: input.min }), ...(input.max !== undefined && { maximum: input.max }) };
  switch (input.type) {
    case 'int':
      return { ...base, type: 'integer', ...bounds };
    case 'float':
      return { ...base, type: 'number', ...bounds };
    case 'bool':
      return { ...base, type: 'boolean' };
    case 'choice': {
      const choices = input.choices ?? [];
      return { ...base, type: 'string', enum: choices.map((c) => c.value), 'x-enum-labels': choices.map((c) => c.label) };
    }
    default:
      return { ...base, type: 'string' };
  }
}
