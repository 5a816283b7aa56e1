import { dirname } from 'node:path';
import { ToolError } from '../errors/area-errors.js';
import { substituteTemplate, type TemplatePlaceholder } from './argv-template.js';
import type { ToolInput, ToolManifest, ToolParamValue } from './tool-manifest.js';

/** Values for the placeholders of a tool's argv template. */
export interface ArgvBindings {
  /** Data input name → file path. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Output name → file path. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Parameter name → value (as returned by {@link validateParams}). */
  readonly params: Readonly<Record<string, ToolParamValue>>;
  /** Value of `{tool.dir}`; defaults to the folder of `manifest.source`. */
  readonly toolDir?: string;
  /** Configured values for `{env.NAME}` (v1's config `env` list, e.g. `python`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Marks an argv element to drop because it mentions an optional input left unset. */
class Unset extends Error {}

/**
 * Builds the argv of one job by pure substitution: each template element becomes exactly one
 * argument, never re-split and never given to a shell, so a value like `x; rm -rf ~` or `$(id)`
 * reaches the tool as one literal argument. An element that mentions an `optional` input or
 * parameter without a value (and without a default) is dropped; write flag and value in one element
 * (`--mask={inputs.mask}`) for such inputs. Called by the job engine with validated parameters.
 *
 * @throws ToolError BAD_PARAMETER naming the placeholder when a binding is missing, or when a value
 * holds a NUL character (which no operating system can pass in argv).
 */
export function expandArgv(manifest: ToolManifest, bindings: ArgvBindings): string[] {
  const inputsByName = new Map(manifest.inputs.map((input) => [input.name, input]));
  const argv: string[] = [];
  manifest.command.argv.forEach((template, index) => {
    try {
      const element = substituteTemplate(template, (p) => resolve(manifest, inputsByName, bindings, p, index));
      if (element.includes('\0')) throw bad(manifest, `argv[${index}] would contain a NUL character`, { index });
      argv.push(element);
    } catch (error) {
      if (!(error instanceof Unset)) throw error;
    }
  });
  return argv;
}

function resolve(manifest: ToolManifest, inputsByName: ReadonlyMap<string, ToolInput>, bindings: ArgvBindings, p: TemplatePlaceholder, index: number): string {
  const missing = (why: string): ToolError => bad(manifest, `argv[${index}] needs ${p.text}, ${why}`, { placeholder: p.text, index });
  switch (p.kind) {
    case 'tool':
      return bindings.toolDir ?? dirname(manifest.source);
    case 'env': {
      const env = bindings.env ?? {};
      if (!Object.hasOwn(env, p.name)) throw missing(`but '${p.name}' is not set in the configuration's env`);
      return env[p.name] as string;
    }
    case 'outputs':
      if (!Object.hasOwn(bindings.outputs, p.name)) throw missing('but no path was given for that output');
      return bindings.outputs[p.name] as string;
    case 'inputs':
    case 'params': {
      const values: Readonly<Record<string, ToolParamValue>> = p.kind === 'inputs' ? bindings.inputs : bindings.params;
      if (Object.hasOwn(values, p.name)) return formatValue(inputsByName.get(p.name), values[p.name] as ToolParamValue);
      const input = inputsByName.get(p.name);
      if (input?.optional === true && input.default === undefined) throw new Unset();
      throw missing(p.kind === 'inputs' ? 'but no file was given for that input' : 'but that parameter has no value');
    }
  }
}

function formatValue(input: ToolInput | undefined, value: ToolParamValue): string {
  if (typeof value === 'boolean') return value ? (input?.trueValue ?? 'true') : (input?.falseValue ?? 'false');
  return String(value);
}

function bad(manifest: ToolManifest, why: string, details: Record<string, unknown>): ToolError {
  return new ToolError('BAD_PARAMETER', `tool '${manifest.id}' (${manifest.source}): ${why}`, {
    details: { tool: manifest.id, file: manifest.source, ...details },
  });
}
