import type { JsonSchema } from '../http/json-schema.js';

/** `$ref` to a component schema of the OpenAPI document. */
export const ref = (name: keyof typeof API_SCHEMAS): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const str: JsonSchema = { type: 'string' };
const tagKey: JsonSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f=]+$' };
const tagValue: JsonSchema = { type: 'string', maxLength: 2000, pattern: '^[^\\u0000-\\u0008\\u000b-\\u001f]*$' };
const tags: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
const datasetName: JsonSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]*$' };
const quantity: JsonSchema = { type: 'object', required: ['value', 'unit'], properties: { value: { type: 'number' }, unit: str } };
const count: JsonSchema = { type: 'integer', minimum: 0 };
const runner: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  description: 'a runner the kernel has (`local`, `docker`, `slurm`, `conda`...); default: chosen by the tool requirements, else `local`',
};
const runnerOptionValue: JsonSchema = { type: ['string', 'number', 'boolean'] };
const runnerOptions: JsonSchema = {
  type: 'object',
  maxProperties: 50,
  propertyNames: { type: 'string', minLength: 1, maxLength: 100 },
  additionalProperties: runnerOptionValue,
  description:
    'per-run options of the runner (`{"partition": "gpu", "time": "00:10:00"}`), over its configured settings: the names and types GET /api/runners lists for it; an option it does not declare, or a value of the wrong type, answers 400 naming the option',
};
const rootName: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' };
const experimentName: JsonSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]*$' };
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
  ExperimentCreate: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { ...experimentName, description: 'a plain name (letters, digits, spaces, _ . -; no folders): the folder is the name without spaces' },
      author: { type: 'string', minLength: 1, maxLength: 200, description: 'default: the configured user' },
      keys: { type: 'array', items: tagKey, maxItems: 200, description: 'tag keys of the experiment, in order' },
    },
  },
  ExperimentDeleted: {
    type: 'object',
    required: ['id', 'name', 'deleted'],
    properties: { id: str, name: str, deleted: { enum: [true] } },
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
      runner,
      runnerOptions,
    },
  },
  RunnerOption: {
    type: 'object',
    required: ['type', 'description'],
    properties: {
      type: { enum: ['string', 'number', 'integer', 'boolean'] },
      description: str,
      default: { ...runnerOptionValue, description: "what applies when a run sets none: the runner's configured setting" },
      enum: { type: 'array', items: str, description: 'the accepted values' },
      pattern: { type: 'string', description: 'a regular expression the whole value must match' },
      minimum: { type: 'number' },
      maximum: { type: 'number' },
      secret: { type: 'boolean', description: 'never written down: run records show `***`' },
    },
  },
  Runner: {
    type: 'object',
    required: ['id', 'plugin', 'available', 'options'],
    properties: {
      id: { type: 'string', description: 'what `runner` names in a run' },
      plugin: { type: 'string', description: 'the plugin contributing it (`core` for `local`)' },
      available: { type: 'boolean', description: 'false when its plugin cannot start on this server' },
      reason: { type: 'string', description: 'why it cannot start (when not available)' },
      options: { type: 'object', additionalProperties: { $ref: '#/components/schemas/RunnerOption' }, description: 'the per-run options it accepts, by name' },
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
      jobs: {
        type: 'object',
        required: ['total', 'succeeded', 'failed', 'cached', 'cancelled'],
        description: 'how many jobs the run has, and how many ended each way',
        properties: { total: count, succeeded: count, failed: count, cached: count, cancelled: count },
      },
      live: { $ref: '#/components/schemas/LiveRun' },
    },
  },
  Run: {
    type: 'object',
    required: ['record'],
    properties: {
      record: { $ref: '#/components/schemas/RunRecord' },
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
  RunRecord: {
    type: 'object',
    required: ['id', 'dataset', 'tool', 'parameters', 'inputs', 'status', 'jobs'],
    description:
      'the stored run record (run.md.json); one BioImageIT v1 wrote has status `unknown`, `recordedBy: bioimageit-v1`, no jobs, and no tool digest, runner, host, user or start',
    properties: {
      id: str,
      dataset: { type: 'string', description: 'the processed dataset the run writes into' },
      tool: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: str,
          name: str,
          version: str,
          digest: { type: 'string', description: "content digest of the tool's manifest" },
          source: { type: 'string', description: 'where the manifest was loaded from' },
          authors: { type: 'array', items: str },
          license: str,
          cite: { type: 'array', items: { type: 'object', required: ['text'], properties: { text: str, doi: str, url: str } } },
          facts: { type: 'object', additionalProperties: str },
        },
      },
      parameters: { type: 'array', items: { type: 'object', required: ['name', 'value'], properties: { name: str, value: str } } },
      inputs: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'dataset', 'query'],
          properties: { name: str, dataset: str, query: str, originOutputName: str, broadcast: { type: 'boolean' } },
        },
      },
      matchBy: { oneOf: [{ type: 'array', items: str }, { enum: ['position'] }] },
      groupBy: { type: 'array', items: str },
      orderBy: { type: 'array', items: str },
      runner: { type: 'string', description: 'the runner that ran the jobs (`local`, `docker`, `slurm`...)' },
      runnerOptions: {
        type: 'object',
        additionalProperties: runnerOptionValue,
        description: 'the per-run runner options the run set (typed; secret ones read `***`); absent when it set none',
      },
      host: str,
      user: str,
      start: str,
      end: str,
      status: { enum: ['running', 'succeeded', 'failed', 'cancelled', 'partial', 'unknown'] },
      jobs: { type: 'array', items: { $ref: '#/components/schemas/JobRecord' } },
      recordedBy: { enum: ['bioimageit-v1'] },
      software: { type: 'object', additionalProperties: str, description: 'versions of the BioImageIT components that made the run' },
    },
  },
  JobRecord: {
    type: 'object',
    required: ['id', 'index', 'inputs', 'status', 'outputs', 'cacheKey'],
    description: 'one execution of the tool inside a run',
    properties: {
      id: { type: 'string', description: '`job-0001`' },
      index: count,
      inputs: { type: 'object', description: 'input name → ids of the items bound to it', additionalProperties: { type: 'array', items: str } },
      status: { enum: ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'cached'] },
      exitCode: { type: ['integer', 'null'] },
      signal: str,
      start: str,
      end: str,
      stdout: { type: 'string', description: 'log file, relative to the processed dataset folder (GET …/jobs/{job}/log serves it)' },
      stderr: str,
      outputs: { type: 'array', items: str, description: 'ids of the committed output items' },
      cacheKey: str,
      cachedFrom: { type: 'object', required: ['runId', 'jobId'], properties: { runId: str, jobId: str } },
      error: { type: 'string', description: 'why the job failed, one line' },
      environment: { type: 'object', description: 'runner facts: runner id, image digest, SLURM job id, conda lock...' },
    },
  },
  ImportRoot: {
    type: 'object',
    required: ['name'],
    properties: { name: { ...rootName, description: 'what an import names as its `root`' } },
  },
  ImportStart: {
    type: 'object',
    additionalProperties: false,
    required: ['root'],
    properties: {
      root: { ...rootName, description: 'an import root from GET /api/import-roots' },
      path: {
        type: 'string',
        maxLength: 4000,
        default: '',
        description: 'a file or folder inside the root, relative, with forward slashes (default: the root itself); `..` is refused',
      },
      recursive: { type: 'boolean', description: 'walk sub-folders too' },
      glob: { type: 'string', maxLength: 1000, description: "only paths matching a glob (relative to the folder), e.g. '**/*.tif'" },
      regex: { type: 'string', maxLength: 1000, description: 'only file names matching a regular expression' },
      hidden: { type: 'boolean', description: 'include dot-files' },
      mode: { enum: ['copy', 'reference'], description: 'copy files into the experiment, or reference them in place (default: the workspace setting)' },
      format: { type: 'string', minLength: 1, maxLength: 100, description: 'force a format id (default: by extension)' },
      author: { type: 'string', minLength: 1, maxLength: 200, description: 'author recorded on the items (default: the configured user)' },
      skipExisting: { type: 'boolean', description: 'skip files already imported (same name and sha256)' },
      tags: { type: 'object', additionalProperties: tagValue, maxProperties: 200, propertyNames: tagKey, description: 'tags set on every item' },
      tagRegex: {
        type: 'array',
        items: { type: 'string', maxLength: 1000 },
        maxItems: 20,
        description: 'named groups of a regex on the file name become tags',
      },
      tagPathRegex: {
        type: 'array',
        items: { type: 'string', maxLength: 1000 },
        maxItems: 20,
        description: 'named groups of a regex on the path relative to the folder become tags',
      },
      folderKey: { ...tagKey, description: 'tag KEY = the name of the folder holding each file' },
      folderKeys: {
        type: 'array',
        items: tagKey,
        minItems: 1,
        maxItems: 20,
        description: 'tag keys[0] = first folder under the imported one, keys[1] = second...',
      },
    },
  },
  ImportState: {
    type: 'object',
    required: ['id', 'experiment', 'root', 'path', 'mode', 'status', 'start', 'total', 'done', 'imported', 'failedCount', 'skippedCount', 'failed', 'skipped'],
    properties: {
      id: str,
      experiment: { type: 'string', description: 'experiment id' },
      root: str,
      path: { type: 'string', description: 'the path inside the root (empty: the root)' },
      mode: { enum: ['copy', 'reference'] },
      status: { enum: ['running', 'succeeded', 'partial', 'failed', 'cancelled'], description: '`partial`: some files failed, the others were imported' },
      start: str,
      end: str,
      total: { ...count, description: 'files with a known format the import reads' },
      done: { ...count, description: 'files read so far' },
      imported: { ...count, description: 'items committed (once the import has ended)' },
      failedCount: count,
      skippedCount: count,
      failed: {
        type: 'array',
        description: 'the first 100 files that failed, by path inside the root',
        items: { type: 'object', required: ['path', 'error'], properties: { path: str, error: str } },
      },
      skipped: {
        type: 'array',
        description: 'the first 100 files left out (no known format, already imported), by path inside the root',
        items: { type: 'object', required: ['path', 'reason'], properties: { path: str, reason: str } },
      },
      error: { type: 'string', description: 'why the import as a whole failed' },
    },
  },
  OpenApi: {
    type: 'object',
    required: ['openapi', 'info', 'paths'],
    description: 'an OpenAPI 3.1 document',
    properties: {
      openapi: str,
      info: { type: 'object' },
      servers: { type: 'array', items: { type: 'object' } },
      paths: { type: 'object' },
      components: { type: 'object' },
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
    properties: {
      pipeline: { type: 'string', minLength: 1, maxLength: 200, description: 'a name from GET /api/pipelines (not a path)' },
      runner: { ...runner, description: 'the runner of every step (as `bioimageit pipeline run --runner`); default: each tool chooses' },
      runnerOptions: {
        ...runnerOptions,
        description: 'per-run options of the runner of every step (requires `runner`; see GET /api/runners); a bad one answers 400 before any step runs',
      },
      jobs: { type: 'integer', minimum: 1, maximum: 64, description: 'jobs of a step run at once' },
      cache: { type: 'boolean', description: 'reuse outputs of identical earlier jobs (default true)' },
    },
  },
  PipelineRun: {
    type: 'object',
    required: ['id', 'experiment', 'pipeline', 'file', 'status', 'start', 'steps'],
    properties: {
      id: str,
      experiment: str,
      pipeline: str,
      file: str,
      runner: { type: 'string', description: 'the runner of every step, when the start named one' },
      runnerOptions: { type: 'object', additionalProperties: runnerOptionValue, description: 'the runner options of every step, when the start set some' },
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
