import { ToolError } from '../errors/area-errors.js';
import { isParameter, type ToolInput, type ToolManifest, type ToolParamValue } from './tool-manifest.js';

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/**
 * Checks the parameters given for a run (as typed on a command line or read from a pipeline) and
 * returns them typed, with defaults applied: `int`/`float` become numbers, `bool` a boolean
 * (`true/false/1/0/yes/no/on/off`, or the input's `trueValue`/`falseValue`), `choice` and `string`
 * stay strings. Optional parameters without value or default are left out. Called by the CLI and
 * the job engine before {@link expandArgv}.
 *
 * @throws ToolError BAD_PARAMETER listing every problem: unknown names, data inputs given as
 * parameters, missing required values, malformed numbers or booleans, numbers out of range, values
 * outside a choice list (the message names the parameter and the allowed values).
 */
export function validateParams(manifest: ToolManifest, given: Readonly<Record<string, string | number | boolean>>): Record<string, ToolParamValue> {
  const problems: string[] = [];
  const inputs = new Map(manifest.inputs.map((input) => [input.name, input]));
  for (const name of Object.keys(given)) {
    const input = inputs.get(name);
    if (input === undefined) {
      const known = manifest.inputs.filter(isParameter).map((i) => i.name);
      problems.push(`unknown parameter '${name}' (parameters: ${known.length > 0 ? known.join(', ') : 'none'})`);
    } else if (!isParameter(input)) {
      problems.push(`'${name}' is a data input, not a parameter`);
    }
  }
  const entries: [string, ToolParamValue][] = [];
  for (const input of manifest.inputs.filter(isParameter)) {
    if (!Object.hasOwn(given, input.name)) {
      if (input.default !== undefined) entries.push([input.name, input.default]);
      else if (input.optional !== true) problems.push(`parameter '${input.name}' is required`);
      continue;
    }
    const parsed = parseParam(input, given[input.name] as string | number | boolean);
    if ('problem' in parsed) problems.push(parsed.problem);
    else entries.push([input.name, parsed.value]);
  }
  if (problems.length > 0) {
    throw new ToolError('BAD_PARAMETER', `tool '${manifest.id}': ${problems.join('; ')}`, {
      details: { tool: manifest.id, file: manifest.source, problems },
    });
  }
  return Object.fromEntries(entries);
}

type Parsed = { readonly value: ToolParamValue } | { readonly problem: string };

function parseParam(input: ToolInput, raw: string | number | boolean): Parsed {
  const text = String(raw).trim();
  const fail = (why: string): Parsed => ({ problem: `parameter '${input.name}' ${why} (got '${String(raw)}')` });
  switch (input.type) {
    case 'int':
    case 'float': {
      const ok =
        typeof raw === 'number' ? Number.isFinite(raw) && (input.type === 'float' || Number.isInteger(raw)) : (input.type === 'int' ? INT : FLOAT).test(text);
      const value = Number(text);
      if (!ok || !Number.isFinite(value) || (input.type === 'int' && !Number.isSafeInteger(value))) {
        return fail(input.type === 'int' ? 'must be an integer' : 'must be a number');
      }
      return checkRange(input, value) ?? { value };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { value: raw };
      if (input.trueValue !== undefined && text === input.trueValue) return { value: true };
      if (input.falseValue !== undefined && text === input.falseValue) return { value: false };
      if (TRUE_WORDS.has(text.toLowerCase())) return { value: true };
      if (FALSE_WORDS.has(text.toLowerCase())) return { value: false };
      return fail('must be true or false');
    }
    case 'choice': {
      const values = (input.choices ?? []).map((c) => c.value);
      if (values.includes(String(raw))) return { value: String(raw) };
      return fail(`must be one of ${values.map((v) => `'${v}'`).join(', ')}`);
    }
    default:
      return { value: String(raw) };
  }
}

function checkRange(input: ToolInput, value: number): Parsed | undefined {
  const { min, max } = input;
  if ((min === undefined || value >= min) && (max === undefined || value <= max)) return undefined;
  const range = min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
  return { problem: `parameter '${input.name}' must be ${range} (got ${value})` };
}
