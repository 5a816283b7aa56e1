import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ToolError } from '../errors/area-errors.js';
import { isRecord } from '../util/is-record.js';

/** One input of a pipeline step: a dataset, or an earlier step (its output dataset). */
export interface PipelineStepInput {
  /** The tool's data input name. */
  readonly name: string;
  /** A dataset of the experiment (default `data`); naming an earlier step's output dataset makes it a dependency. */
  readonly dataset?: string;
  /** An earlier step by name: the step's outputs from this pipeline run feed this input. */
  readonly step?: string;
  readonly query?: string;
  readonly originOutputName?: string;
  /** Give this input's one item (a PSF, a model) to every job of the step. */
  readonly broadcast?: boolean;
}

/** One step: a run of one tool. */
export interface PipelineStep {
  readonly name: string;
  /** Tool id or v1 key (`biitcopy_v1.0.0`). */
  readonly tool: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly inputs: readonly PipelineStepInput[];
  /** Processed dataset receiving the outputs (default: the step name). */
  readonly outputDataset: string;
  readonly matchBy?: readonly string[] | 'position';
  readonly groupBy?: readonly string[];
  /** Order of the items inside each group (`["T"]`: a time series in numeric order). */
  readonly orderBy?: readonly string[];
}

/**
 * A pipeline file. Native shape: `{name, steps:[{name, tool, params:{k:v}, inputs:[{name, dataset |
 * step, query, originOutputName, broadcast?}], outputDataset, matchBy?, groupBy?, orderBy?}]}`. BioImageIT v1's shape is
 * accepted too: `steps[].{tool, output_dataset_name, inputs[{name, dataset, query,
 * origin_output_name}], parameters[{name, value}]}` (several inputs then pair by position, as in v1).
 */
export interface Pipeline {
  readonly name: string;
  readonly steps: readonly PipelineStep[];
}

/** Reads and checks a pipeline JSON file. ToolError NOT_FOUND / BAD_MANIFEST naming the file. */
export async function loadPipelineFile(path: string): Promise<Pipeline> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ToolError('NOT_FOUND', `${file}: cannot read pipeline (${(cause as Error).message})`, { cause, details: { file } });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ToolError('BAD_MANIFEST', `${file}: invalid JSON (${(cause as Error).message})`, { cause, details: { file } });
  }
  return parsePipeline(raw, file);
}

/**
 * Checks a parsed pipeline (native or v1 shape) and returns it in the native shape. Throws ToolError
 * BAD_MANIFEST naming `source` and the JSON path of the first problem (missing fields, wrong
 * types, duplicate step names, two steps writing one dataset).
 */
export function parsePipeline(raw: unknown, source: string): Pipeline {
  const fail = (path: string, why: string): never => {
    throw new ToolError('BAD_MANIFEST', `${source}: ${path} ${why}`, { details: { file: source, field: path } });
  };
  if (!isRecord(raw)) return fail('(root)', 'must be a JSON object');
  const steps = raw['steps'];
  if (!Array.isArray(steps) || steps.length === 0) return fail('steps', 'must be a non-empty array');
  const str = (value: unknown, path: string, optional = false): string | undefined => {
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string' || (!optional && value === '')) return fail(path, 'must be a non-empty string');
    return value;
  };
  const keys = (value: unknown, path: string): string[] | undefined => {
    if (value === undefined) return undefined;
    if (typeof value === 'string')
      return value
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== '');
    if (!Array.isArray(value) || !value.every((k) => typeof k === 'string')) return fail(path, 'must be an array of tag keys');
    return value as string[];
  };
  const parsed = steps.map((step: unknown, s): PipelineStep => {
    const at = `steps[${s}]`;
    if (!isRecord(step)) return fail(at, 'must be an object');
    const v1 = 'output_dataset_name' in step || Array.isArray(step['parameters']);
    const tool = str(step['tool'], `${at}.tool`) as string;
    const name = str(step['name'], `${at}.name`, true) || `step${s + 1}`;
    const outputDataset = str(v1 ? step['output_dataset_name'] : step['outputDataset'], `${at}.${v1 ? 'output_dataset_name' : 'outputDataset'}`, true) || name;
    const rawInputs = step['inputs'] ?? [];
    if (!Array.isArray(rawInputs)) return fail(`${at}.inputs`, 'must be an array');
    const inputs = rawInputs.map((input: unknown, i): PipelineStepInput => {
      const ip = `${at}.inputs[${i}]`;
      if (!isRecord(input)) return fail(ip, 'must be an object');
      const dataset = str(input['dataset'], `${ip}.dataset`, true);
      const from = str(input['step'], `${ip}.step`, true);
      if (dataset && from) fail(ip, "names both a 'dataset' and a 'step'; give one");
      const origin = str(input[v1 ? 'origin_output_name' : 'originOutputName'], `${ip}.${v1 ? 'origin_output_name' : 'originOutputName'}`, true);
      const query = str(input['query'], `${ip}.query`, true);
      const broadcast = input['broadcast'];
      if (broadcast !== undefined && typeof broadcast !== 'boolean') fail(`${ip}.broadcast`, 'must be true or false');
      return {
        name: str(input['name'], `${ip}.name`) as string,
        ...(dataset && { dataset }),
        ...(from && { step: from }),
        ...(query && { query }),
        ...(origin && { originOutputName: origin }),
        ...(broadcast === true && { broadcast: true }),
      };
    });
    const params = v1 ? v1Parameters(step['parameters'], `${at}.parameters`, fail) : nativeParams(step['params'], `${at}.params`, fail);
    const matchRaw = step['matchBy'];
    const matchBy = matchRaw === 'position' ? ('position' as const) : keys(matchRaw, `${at}.matchBy`);
    const groupBy = keys(step['groupBy'], `${at}.groupBy`);
    const orderBy = keys(step['orderBy'], `${at}.orderBy`);
    return {
      name,
      tool,
      params,
      inputs,
      outputDataset,
      ...(matchBy !== undefined ? { matchBy } : v1 && inputs.length > 1 ? { matchBy: 'position' as const } : {}),
      ...(groupBy !== undefined && { groupBy }),
      ...(orderBy !== undefined && { orderBy }),
    };
  });
  const seen = new Map<string, number>();
  const outputs = new Map<string, number>();
  parsed.forEach((step, s) => {
    if (seen.has(step.name)) fail(`steps[${s}].name`, `'${step.name}' is also the name of steps[${seen.get(step.name)}]`);
    if (outputs.has(step.outputDataset))
      fail(`steps[${s}]`, `writes dataset '${step.outputDataset}' like steps[${outputs.get(step.outputDataset)}]; give each step its own output dataset`);
    seen.set(step.name, s);
    outputs.set(step.outputDataset, s);
  });
  const name = typeof raw['name'] === 'string' && raw['name'] !== '' ? raw['name'] : 'pipeline';
  return { name, steps: parsed };
}

function nativeParams(value: unknown, path: string, fail: (path: string, why: string) => never): Record<string, string | number | boolean> {
  if (value === undefined) return {};
  if (!isRecord(value) || !Object.values(value).every((v) => ['string', 'number', 'boolean'].includes(typeof v)))
    fail(path, 'must be an object of string, number or boolean values');
  return value as Record<string, string | number | boolean>;
}

function v1Parameters(value: unknown, path: string, fail: (path: string, why: string) => never): Record<string, string> {
  if (!Array.isArray(value)) return fail(path, 'must be an array of {name, value}');
  return Object.fromEntries(
    value.map((p: unknown, i) => {
      if (!isRecord(p) || typeof p['name'] !== 'string' || p['value'] === undefined) return fail(`${path}[${i}]`, 'must be {name, value}');
      return [p['name'], String(p['value'])];
    }),
  );
}
