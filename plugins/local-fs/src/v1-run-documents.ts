import type { RunRecord, RunStatus } from '@bioimageit/core';
import { corruptFile } from './storage-failure.js';
import { EXTRAS_KEY } from './v1-documents.js';

/**
 * v1's `run.md.json` (bioimageit_core 0.2): the tool, the processed dataset, the input queries
 * and the parameters of one run. This implementation adds the whole RunRecord under the
 * extras key, which v1 ignores. Parsed documents keep every other key they carry.
 */
export interface V1RunDoc {
  readonly uuid: string;
  readonly process: { readonly name: string; readonly url: string };
  readonly processed_dataset: { readonly uuid: string; readonly url: string };
  readonly inputs: readonly { readonly name: string; readonly dataset: string; readonly query: string; readonly origin_output_name: string }[];
  readonly parameters: readonly { readonly name: string; readonly value: string }[];
  readonly [EXTRAS_KEY]?: unknown;
  readonly [extra: string]: unknown;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** v1's process name of a tool: its v1 key `<id>_v<version>` (`biitcopy_v1.0.0`). */
export function v1ProcessName(tool: RunRecord['tool']): string {
  const suffix = `_v${tool.version}`;
  return tool.version === '' || tool.id.endsWith(suffix) ? tool.id : `${tool.id}${suffix}`;
}

/** Validates a run file: an object with a `uuid`; missing v1 blocks read as empty. CORRUPT names `file`. */
export function parseRunDoc(value: unknown, file: string): V1RunDoc {
  if (!isObject(value)) throw corruptFile(file, 'not a JSON object');
  if (typeof value['uuid'] !== 'string' || value['uuid'] === '') throw corruptFile(file, "'uuid' is missing or not a string");
  const process = isObject(value['process']) ? value['process'] : {};
  const dataset = isObject(value['processed_dataset']) ? value['processed_dataset'] : {};
  return {
    ...value,
    uuid: value['uuid'],
    process: { ...process, name: str(process['name']), url: str(process['url']) },
    processed_dataset: { ...dataset, uuid: str(dataset['uuid']), url: str(dataset['url']) },
    inputs: list(value['inputs']).map((i) => ({
      ...i,
      name: str(i['name']),
      dataset: str(i['dataset']),
      query: str(i['query']),
      origin_output_name: str(i['origin_output_name']),
    })),
    parameters: list(value['parameters']).map((p) => ({ ...p, name: str(p['name']), value: str(p['value']) })),
  };
}

/**
 * The run file of `run`, keys in v1's order, the record itself under the extras key. Keys of
 * `previous` (the file being replaced) that this implementation does not write are kept.
 */
export function toV1RunDoc(run: RunRecord, datasetUuid: string, datasetUrl: string, previous?: V1RunDoc): V1RunDoc {
  const doc: V1RunDoc = {
    uuid: run.id,
    process: { name: v1ProcessName(run.tool), url: run.tool.source },
    processed_dataset: { uuid: datasetUuid, url: datasetUrl },
    inputs: run.inputs.map((i) => ({ name: i.name, dataset: i.dataset, query: i.query, origin_output_name: i.originOutputName ?? '' })),
    parameters: run.parameters.map((p) => ({ name: p.name, value: p.value })),
    [EXTRAS_KEY]: JSON.parse(JSON.stringify(run)) as unknown,
  };
  return previous === undefined ? doc : { ...previous, ...doc };
}

function isRunRecord(value: unknown): value is RunRecord {
  return isObject(value) && typeof value['id'] === 'string' && isObject(value['tool']) && Array.isArray(value['jobs']);
}

/**
 * The RunRecord of a run file of dataset `dataset`: the record this implementation stored, or,
 * for a run written by v1, what v1 recorded: tool id and version split from v1's key
 * (`biitcopy_v1.0.0`; a plain name is the id, version `''`), the manifest path as source,
 * `matchBy: 'position'` (v1 pairs inputs by position) and no jobs (v1 keeps no per-job record).
 * v1 records no outcome: status `unknown`, `recordedBy: 'bioimageit-v1'`, and digest, runner,
 * host, user and start left empty (never written).
 */
export function runRecordOf(doc: V1RunDoc, dataset: string): RunRecord {
  const stored = doc[EXTRAS_KEY];
  if (isRunRecord(stored)) return { ...stored, id: doc.uuid, dataset };
  const key = /^(.+)_v(\d[^\s]*)$/.exec(doc.process.name);
  return {
    id: doc.uuid,
    dataset,
    tool: { id: key?.[1] ?? doc.process.name, name: doc.process.name, version: key?.[2] ?? '', digest: '', source: doc.process.url },
    parameters: doc.parameters.map((p) => ({ name: p.name, value: p.value })),
    inputs: doc.inputs.map((i) => ({
      name: i.name,
      dataset: i.dataset,
      query: i.query,
      ...(i.origin_output_name === '' ? {} : { originOutputName: i.origin_output_name }),
    })),
    matchBy: 'position',
    runner: '',
    host: '',
    user: '',
    start: '',
    status: 'unknown',
    jobs: [],
    recordedBy: 'bioimageit-v1',
  };
}

const RUN_STATUSES: ReadonlySet<string> = new Set<RunStatus>(['running', 'succeeded', 'failed', 'cancelled', 'partial', 'unknown']);

/**
 * Whether a run file records a status, and if not, who wrote it: `v1` (BioImageIT v1 records
 * none), `missing` (this implementation's record lacks a valid one, e.g. cut or edited by hand).
 */
export function runStatusGap(doc: V1RunDoc): 'v1' | 'missing' | undefined {
  const stored = doc[EXTRAS_KEY];
  if (!isRunRecord(stored)) return 'v1';
  return RUN_STATUSES.has((stored as { status?: unknown }).status as string) ? undefined : 'missing';
}

/**
 * The record to keep under the extras key of a run file without a status (see {@link runStatusGap}):
 * what {@link runRecordOf} reads from it anyway, with status `unknown` written down. For a v1 file
 * that is the record read from its v1 keys (`recordedBy: 'bioimageit-v1'`); v1 ignores the key.
 */
export function unknownStatusRecord(doc: V1RunDoc, dataset: string): unknown {
  const record: RunRecord = { ...runRecordOf(doc, dataset), status: 'unknown' };
  return JSON.parse(JSON.stringify(record)) as unknown;
}
