import type { JsonSchema } from '../http/json-schema.js';

/** `$ref` to a component schema of the OpenAPI document. */
export const ref = (name: keyof typeof API_SCHEMAS): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const str: JsonSchema = { type: 'string' };
const tagKey: JsonSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f=]+$' };
const tagValue: JsonSchema = { type: 'string', maxLength: 2000, pattern: '^[^\\u0000-\\u0008\\u000b-\\u001f]*$' };
const tags: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
const datasetName: JsonSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]*$' };
const quantity: JsonSchema = { type: 'object', required: ['value', 'unit'], properties: { value: { type: 'number' }, unit: str } };
const query: JsonSchema = { type: 'string', maxLength: 4000, description: 'a query in the BioImageIT query language; empty selects everything' };

/**
 * The component schemas of the OpenAPI document: every JSON body the API reads or writes. Request
 * schemas are strict (no unknown properties); response schemas list what clients may rely on.
 */
export const API_SCHEMAS = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'area', 'message'],
        properties: { code: str, area: str, message: str, details: { type: 'object' } },
      },
    },
  },
  ServerInfo: {
    type: 'object',
    required: ['name', 'version', 'coreVersion', 'user', 'tokenRequired'],
    properties: { name: str, version: str, coreVersion: str, user: str, tokenRequired: { type: 'boolean' } },
  },
  ExperimentSummary: {
    type: 'object',
    required: ['id', 'name', 'author', 'date', 'keys'],
    properties: { id: str, name: str, author: str, date: str, keys: { type: 'array', items: str } },
  },
  Dataset: {
    type: 'object',
    required: ['id', 'name', 'kind', 'itemCount'],
    properties: { id: str, name: str, kind: { enum: ['raw', 'processed'] }, itemCount: { type: 'integer', minimum: 0 } },
  },
  Experiment: {
    type: 'object',
    required: ['id', 'name', 'author', 'date', 'keys', 'datasets'],
    properties: {
      id: str,
      name: str,
      author: str,
      date: str,
      keys: { type: 'array', items: str },
      datasets: { type: 'array', items: { $ref: '#/components/schemas/Dataset' } },
    },
  },
  ExperimentCheck: {
    type: 'object',
    additionalProperties: false,
    properties: {
      repair: {
        type: 'boolean',
        default: false,
        description: 'fix what is safe: rebuild the index, drop duplicate dataset entries, record runs without status as `unknown`; never deletes data',
      },
      deep: { type: 'boolean', default: false, description: 'also hash every data file and compare it with its recorded sha256 (reads all the data)' },
    },
  },
  ExperimentProblem: {
    type: 'object',
    required: ['kind', 'file', 'message', 'repairable'],
    properties: {
      kind: {
        enum: [
          'missing-data',
          'size-mismatch',
          'checksum-mismatch',
          'orphan-file',
          'missing-metadata',
          'unreadable-metadata',
          'index-drift',
          'duplicate-entry',
          'run-without-status',
          'missing-run',
        ],
      },
      file: {
        type: 'string',
        description: 'the file concerned, relative to the experiment folder; for data referenced in place outside it, its file name only',
      },
      dataset: str,
      item: { type: 'object', required: ['id', 'name'], properties: { id: str, name: str } },
      run: { type: 'string', description: 'the run concerned (its id)' },
      message: { type: 'string', description: 'what is wrong, one line' },
      repairable: { type: 'boolean', description: 'whether a check with `repair` fixes it (missing or changed data and orphan files are never "repaired")' },
    },
  },
  ExperimentCheckReport: {
    type: 'object',
    required: ['experiment', 'healthy', 'deep', 'checked', 'problems', 'repairs', 'remaining'],
    properties: {
      experiment: { type: 'string', description: 'experiment id' },
      healthy: { type: 'boolean', description: 'true when nothing remains wrong' },
      deep: { type: 'boolean' },
      checked: {
        type: 'object',
        required: ['datasets', 'items', 'runs', 'hashed'],
        properties: {
          datasets: { type: 'integer', minimum: 0 },
          items: { type: 'integer', minimum: 0, description: 'items the datasets list' },
          runs: { type: 'integer', minimum: 0 },
          hashed: { type: 'integer', minimum: 0, description: 'data files hashed (deep checks)' },
        },
      },
      problems: { type: 'array', description: 'every problem found, before any repair', items: { $ref: '#/components/schemas/ExperimentProblem' } },
      repairs: {
        type: 'array',
        description: 'what the repair did, one entry per file changed',
        items: { type: 'object', required: ['kind', 'file', 'action'], properties: { kind: str, file: str, action: str } },
      },
      remaining: {
        type: 'array',
        description: 'what is still wrong: a fresh check after the repair (without `repair`: `problems`)',
        items: { $ref: '#/components/schemas/ExperimentProblem' },
      },
    },
  },
  Item: {
    type: 'object',
    required: ['id', 'name', 'dataset', 'format', 'date', 'author', 'tags', 'metadata', 'origin', 'image', 'table'],
    properties: {
      id: str,
      name: str,
      dataset: str,
      format: str,
      date: str,
      author: str,
      size: { type: 'integer' },
      sha256: str,
      tags,
      metadata: { $ref: '#/components/schemas/FormatMetadata' },
      image: { type: 'boolean', description: 'true when previews and thumbnails can be rendered' },
      table: { type: 'boolean', description: 'true for CSV/TSV tables, whose rows `GET .../items/{item}/table` pages through' },
      origin: {
        type: 'object',
        required: ['type'],
        properties: {
          type: { enum: ['raw', 'processed'] },
          runId: str,
          output: str,
          inputs: { type: 'array', items: { type: 'object', required: ['name', 'id'], properties: { name: str, id: str } } },
        },
      },
      missing: {
        type: 'boolean',
        description:
          'present (true) when the data file does not exist (never written, or removed or moved since): the item is listed but its data ' +
          'cannot be read; `POST /api/experiments/{experiment}/check` lists every such item',
      },
    },
  },
  ItemPage: {
    type: 'object',
    required: ['dataset', 'where', 'total', 'offset', 'limit', 'keys', 'items'],
    properties: {
      dataset: str,
      where: str,
      total: { type: 'integer', minimum: 0 },
      offset: { type: 'integer', minimum: 0 },
      limit: { type: 'integer', minimum: 1 },
      keys: { type: 'array', items: str },
      items: { type: 'array', items: { $ref: '#/components/schemas/Item' } },
    },
  },
  TagEdit: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    description: 'tags to set (key → value) and keys to remove on one item',
    properties: {
      set: { type: 'object', additionalProperties: tagValue, maxProperties: 200, propertyNames: tagKey },
      remove: { type: 'array', items: tagKey, maxItems: 200 },
    },
  },
  BulkTagEdit: {
    type: 'object',
    additionalProperties: false,
    required: ['where'],
    description: 'tags to set or remove on every item a query selects, atomically',
    properties: {
      dataset: datasetName,
      where: query,
      set: { type: 'object', additionalProperties: tagValue, maxProperties: 200, propertyNames: tagKey },
      remove: { type: 'array', items: tagKey, maxItems: 200 },
    },
  },
  BulkTagResult: {
    type: 'object',
    required: ['changed', 'selected'],
    properties: { changed: { type: 'integer', minimum: 0 }, selected: { type: 'integer', minimum: 0 } },
  },
  ToolSummary: {
    type: 'object',
    required: ['id', 'name', 'version', 'description'],
    properties: { id: str, name: str, version: str, description: str, cover: { type: 'string', description: "URL of the tool's cover image (model tools)" } },
  },
  Tool: {
    type: 'object',
    required: ['id', 'name', 'version', 'description', 'categories', 'type', 'dataInputs', 'outputs', 'parameters'],
    properties: {
      id: str,
      name: str,
      version: str,
      description: str,
      help: str,
      authors: { type: 'array', items: str, description: 'who made the tool (`Name (ORCID …)`)' },
      license: { ...str, description: 'SPDX licence identifier' },
      cite: {
        type: 'array',
        description: 'what to cite when the tool is used',
        items: { type: 'object', required: ['text'], properties: { text: str, doi: str, url: str } },
      },
      cover: { ...str, description: 'URL of the cover image (GET /api/tools/{tool}/cover), when the tool has one' },
      categories: { type: 'array', items: str },
      type: { enum: ['map', 'reduce'] },
      dataInputs: { type: 'array', items: { type: 'object', required: ['name', 'label'], properties: { name: str, label: str, format: str } } },
      outputs: { type: 'array', items: { type: 'object', required: ['name', 'format', 'label'], properties: { name: str, format: str, label: str } } },
      parameters: { type: 'object', description: 'JSON Schema of the parameters object a run takes' },
    },
  },
  RunStart: {
    type: 'object',
    additionalProperties: false,
    required: ['tool', 'inputs', 'outputDataset'],
    properties: {
      tool: { type: 'string', minLength: 1, maxLength: 300 },
      params: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, maxProperties: 200 },
      inputs: {
        type: 'array',
        minItems: 1,
        maxItems: 20,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            dataset: datasetName,
            query,
            broadcast: { type: 'boolean', description: "give this input's one item (a PSF, a model) to every job instead of pairing it" },
          },
        },
      },
      outputDataset: datasetName,
      matchBy: { oneOf: [{ type: 'array', items: tagKey, minItems: 1 }, { enum: ['position'] }] },
      groupBy: { type: 'array', items: tagKey, minItems: 1 },
      orderBy: { type: 'array', items: tagKey, minItems: 1, description: 'order of the items inside each group, numeric when the values are numbers' },
      jobs: { type: 'integer', minimum: 1, maximum: 64 },
      cache: { type: 'boolean' },
    },
  },
  LiveRun: {
    type: 'object',
    required: ['runId', 'experiment', 'tool', 'dataset', 'status', 'jobCount', 'finished', 'failed', 'fraction'],
    properties: {
      runId: str,
      experiment: str,
      tool: str,
      dataset: str,
      status: { enum: ['running', 'succeeded', 'failed', 'cancelled', 'partial'] },
      jobCount: { type: 'integer', minimum: 0 },
      finished: { type: 'integer', minimum: 0 },
      failed: { type: 'integer', minimum: 0 },
      fraction: { type: 'number', minimum: 0, maximum: 1 },
      error: str,
    },
  },
  RunSummary: {
    type: 'object',
    required: ['id', 'dataset', 'tool', 'status', 'jobs'],
    properties: {
      id: str,
      dataset: str,
      tool: { type: 'object', required: ['id', 'name', 'version'], properties: { id: str, name: str, version: str } },
      status: { type: 'string', description: '`unknown` for a run BioImageIT v1 wrote (it records no outcome)' },
      recordedBy: {
        enum: ['bioimageit-v1'],
        description: 'present when another program wrote the run: BioImageIT v1 kept no status, jobs, runner, user or times',
      },
      start: { type: 'string', description: 'absent when never recorded (BioImageIT v1)' },
      end: str,
      user: { type: 'string', description: 'absent when never recorded (BioImageIT v1)' },
      jobs: { type: 'object', required: ['total', 'succeeded', 'failed', 'cached'], additionalProperties: { type: 'integer' } },
      live: { $ref: '#/components/schemas/LiveRun' },
    },
  },
  Run: {
    type: 'object',
    required: ['record'],
    properties: {
      record: {
        type: 'object',
        required: ['id', 'dataset', 'tool', 'parameters', 'inputs', 'status', 'jobs'],
        description:
          'the stored run record (run.md.json); one BioImageIT v1 wrote has status `unknown`, `recordedBy: bioimageit-v1`, no jobs, and no tool digest, runner, host, user or start',
      },
      live: { $ref: '#/components/schemas/LiveRun' },
      outputs: {
        type: 'array',
        description: 'the items the run made, in the order of their inputs (not the order jobs finished)',
        items: {
          type: 'object',
          required: ['id', 'name', 'inputs'],
          properties: {
            id: str,
            name: str,
            job: { type: 'string', description: 'the job that made it (absent for BioImageIT v1 runs)' },
            inputs: { type: 'array', items: { type: 'object', required: ['name', 'id'], properties: { name: str, id: str } } },
            missing: { type: 'boolean', description: 'the data file does not exist (never written by a failed v1 tool, or removed)' },
          },
        },
      },
      itemNames: { type: 'object', description: 'item id → name of every item a job used or made', additionalProperties: str },
    },
  },
  PipelineSummary: {
    type: 'object',
    required: ['name', 'file', 'origin', 'steps'],
    properties: {
      name: { type: 'string', description: 'the name a run asks for' },
      file: { type: 'string', description: 'the file name (no folder)' },
      origin: { enum: ['workspace', 'tools'], description: "the workspace's pipelines/ folder, or a tool folder" },
      steps: {
        type: 'array',
        items: { type: 'object', required: ['name', 'tool', 'outputDataset'], properties: { name: str, tool: str, outputDataset: str } },
      },
      error: { type: 'string', description: 'why the file cannot run (absent when it can)' },
    },
  },
  PipelineStart: {
    type: 'object',
    additionalProperties: false,
    required: ['pipeline'],
    properties: { pipeline: { type: 'string', minLength: 1, maxLength: 200, description: 'a name from GET /api/pipelines (not a path)' } },
  },
  PipelineRun: {
    type: 'object',
    required: ['id', 'experiment', 'pipeline', 'file', 'status', 'start', 'steps'],
    properties: {
      id: str,
      experiment: str,
      pipeline: str,
      file: str,
      status: { enum: ['running', 'succeeded', 'failed', 'cancelled', 'partial'] },
      start: str,
      end: str,
      error: str,
      steps: {
        type: 'array',
        description: 'in execution order',
        items: {
          type: 'object',
          required: ['name', 'tool', 'outputDataset', 'status'],
          properties: {
            name: str,
            tool: str,
            outputDataset: str,
            status: { enum: ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'partial', 'skipped'] },
            runId: str,
            jobCount: { type: 'integer', minimum: 0 },
            error: str,
            reason: { type: 'string', description: 'why a skipped step did not run' },
          },
        },
      },
    },
  },
  Lineage: {
    type: 'object',
    required: ['root', 'nodes', 'edges'],
    properties: {
      root: str,
      nodes: { type: 'array', items: { type: 'object', required: ['id', 'kind'], properties: { id: str, kind: { enum: ['item', 'job', 'run'] } } } },
      edges: {
        type: 'array',
        items: {
          type: 'object',
          required: ['from', 'to', 'relation'],
          properties: { from: str, to: str, relation: { enum: ['wasGeneratedBy', 'used', 'partOf'] }, role: str },
        },
      },
    },
  },
  FormatMetadata: {
    type: 'object',
    description:
      'what the format codec read from the file; images: axes, shape, dtype, physical sizes, time increment, channels ' +
      '(tables have other fields; every field is optional)',
    properties: {
      axes: { type: 'string', description: 'letters from TCZYXS, slowest first, one per shape entry' },
      shape: { type: 'array', items: { type: 'integer' } },
      dtype: str,
      physicalSize: {
        type: 'object',
        description: 'size of a pixel along x, y, z (and t: the time increment) with its unit',
        properties: { x: quantity, y: quantity, z: quantity, t: quantity },
      },
      timeIncrement: { ...quantity, description: 'time between two T positions' },
      channels: { type: 'array', description: 'one entry per channel, in C order', items: { $ref: '#/components/schemas/Channel' } },
    },
  },
  Channel: {
    type: 'object',
    properties: {
      name: str,
      color: { type: 'string', pattern: '^#[0-9a-f]{6}$', description: 'display colour, #rrggbb' },
      excitation: { ...quantity, description: 'excitation wavelength' },
      emission: { ...quantity, description: 'emission wavelength' },
    },
  },
  ImageInfo: {
    type: 'object',
    required: ['axes', 'shape', 'dtype', 'sizeZ', 'sizeC', 'sizeT', 'width', 'height', 'samples', 'channels'],
    properties: {
      axes: str,
      shape: { type: 'array', items: { type: 'integer' } },
      dtype: str,
      sizeZ: { type: 'integer', minimum: 1 },
      sizeC: { type: 'integer', minimum: 1 },
      sizeT: { type: 'integer', minimum: 1 },
      width: { type: 'integer', minimum: 1 },
      height: { type: 'integer', minimum: 1 },
      samples: { type: 'integer', minimum: 1, description: '3 or 4 for RGB(A) images (one channel drawn in its own colours), else 1' },
      physicalSize: { type: 'object', description: 'size of a pixel along x, y, z: { value, unit }' },
      timeIncrement: { type: 'object', description: 'time between two t positions: { value, unit }' },
      channels: {
        type: 'array',
        items: {
          type: 'object',
          required: ['index', 'color'],
          properties: {
            index: { type: 'integer', minimum: 0 },
            name: str,
            color: {
              type: 'string',
              pattern: '^#[0-9a-f]{6}$',
              description: "the channel's own colour, else grey alone, else by wavelength, else red, green, blue…",
            },
            excitation: { type: 'object' },
            emission: { type: 'object' },
            window: {
              type: 'object',
              required: ['start', 'end', 'min', 'max'],
              description: 'display window: 0.1-99.9 percentiles of the whole stack at t=0, and the extremes seen',
              properties: { start: { type: 'number' }, end: { type: 'number' }, min: { type: 'number' }, max: { type: 'number' } },
            },
          },
        },
      },
      pixelsError: { type: 'string', description: 'why the pixels cannot be drawn (over the read limit, corrupt); the rest comes from the header' },
      animation: {
        type: 'object',
        required: ['frames', 'plays'],
        description: 'an animated PNG (APNG): its frames and plays (0: forever); `GET .../animation.png` serves it as stored',
        properties: { frames: { type: 'integer', minimum: 2 }, plays: { type: 'integer', minimum: 0 } },
      },
    },
  },
  Tracks: {
    type: 'object',
    required: ['source', 'columns', 'spotCount', 'truncated', 'limit', 'tracks', 'lone'],
    description: 'tracks for drawing over an image; a spot is `[frame, x, y, z, t, radius]` in the physical unit of the image (null: no value)',
    properties: {
      source: {
        type: ['object', 'null'],
        required: ['id', 'name'],
        properties: { id: str, name: str },
        description: 'the tracks table read; null when there is none',
      },
      columns: { type: 'array', items: str },
      spotCount: { type: 'integer', minimum: 0 },
      truncated: { type: 'boolean', description: 'true when the table has more spot rows than `limit` (those after are left out)' },
      limit: { type: 'integer', minimum: 1 },
      tracks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'spots'],
          properties: { id: str, spots: { type: 'array', items: { $ref: '#/components/schemas/TrackSpot' } } },
        },
      },
      lone: { type: 'array', items: { $ref: '#/components/schemas/TrackSpot' }, description: 'spots in no track' },
    },
  },
  TrackSpot: {
    type: 'array',
    minItems: 6,
    maxItems: 6,
    description: '[frame, x, y, z, t, radius]',
    items: { type: ['number', 'null'] },
  },
  TablePage: {
    type: 'object',
    required: ['columns', 'rows', 'offset', 'totalRows', 'truncated', 'delimiter'],
    description:
      'a page of a CSV/TSV table, read from the head of the file: rows after the page are not parsed. Cells longer than 2000 characters ' +
      'are cut (ending with …); a page whose cells pass 4 Mi characters stops early (fewer rows than asked, truncated true)',
    properties: {
      columns: { type: 'array', items: str, description: "the header record's fields" },
      rows: {
        type: 'array',
        items: { type: 'array', items: str },
        description: 'the data records of the page, in file order; ragged records keep their own length (shorter or longer than columns)',
      },
      offset: { type: 'integer', minimum: 0, description: 'index of the first row of the page among the data rows' },
      totalRows: {
        type: ['integer', 'null'],
        minimum: 0,
        description: 'data rows in the file (header excluded); null when the file is over 32 MiB and the page did not reach its end (not counted)',
      },
      truncated: { type: 'boolean', description: 'true when rows follow this page' },
      delimiter: { enum: [',', ';', '\t'], description: 'the field separator, detected from the header' },
    },
  },
} satisfies Record<string, JsonSchema>;

/** Resolver for `#/components/schemas/Name` references to {@link API_SCHEMAS}. */
export function resolveApiSchema(reference: string): JsonSchema | undefined {
  const prefix = '#/components/schemas/';
  return reference.startsWith(prefix) ? (API_SCHEMAS as Record<string, JsonSchema>)[reference.slice(prefix.length)] : undefined;
}
