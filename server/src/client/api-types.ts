// Generated from the OpenAPI document by server/scripts/generate-api-types.ts: do not edit.
// Run `npm run generate:client -w @bioimageit/server` after changing a route or schema.
/* eslint-disable */

/** Version of the API these types were generated from. */
export const API_VERSION = '0.1.0';

/** tags to set or remove on every item a query selects, atomically */
export type BulkTagEdit = {
  dataset?: string;
  /** a query in the BioImageIT query language; empty selects everything */
  where: string;
  set?: { [key: string]: string };
  remove?: string[];
};

export type BulkTagResult = {
  changed: number;
  selected: number;
};

export type Channel = {
  name?: string;
  /** display colour, #rrggbb */
  color?: string;
  /** excitation wavelength */
  excitation?: {
    value: number;
    unit: string;
  };
  /** emission wavelength */
  emission?: {
    value: number;
    unit: string;
  };
};

export type Dataset = {
  id: string;
  name: string;
  kind: 'raw' | 'processed';
  itemCount: number;
};

export type ErrorBody = {
  error: {
    code: string;
    area: string;
    message: string;
    details?: { [key: string]: unknown };
  };
};

export type Experiment = {
  id: string;
  name: string;
  author: string;
  date: string;
  keys: string[];
  datasets: Dataset[];
};

export type ExperimentCheck = {
  /** fix what is safe: rebuild the index, drop duplicate dataset entries, record runs without status as `unknown`; never deletes data */
  repair?: boolean;
  /** also hash every data file and compare it with its recorded sha256 (reads all the data) */
  deep?: boolean;
};

export type ExperimentCheckReport = {
  /** experiment id */
  experiment: string;
  /** true when nothing remains wrong */
  healthy: boolean;
  deep: boolean;
  checked: {
    datasets: number;
    /** items the datasets list */
    items: number;
    runs: number;
    /** data files hashed (deep checks) */
    hashed: number;
  };
  /** every problem found, before any repair */
  problems: ExperimentProblem[];
  /** what the repair did, one entry per file changed */
  repairs: {
    kind: string;
    file: string;
    action: string;
  }[];
  /** what is still wrong: a fresh check after the repair (without `repair`: `problems`) */
  remaining: ExperimentProblem[];
};

export type ExperimentCreate = {
  /** a plain name (letters, digits, spaces, _ . -; no folders): the folder is the name without spaces */
  name: string;
  /** default: the configured user */
  author?: string;
  /** tag keys of the experiment, in order */
  keys?: string[];
};

export type ExperimentDeleted = {
  id: string;
  name: string;
  deleted: true;
};

export type ExperimentProblem = {
  kind:
    | 'missing-data'
    | 'size-mismatch'
    | 'checksum-mismatch'
    | 'orphan-file'
    | 'missing-metadata'
    | 'unreadable-metadata'
    | 'index-drift'
    | 'duplicate-entry'
    | 'run-without-status'
    | 'missing-run';
  /** the file concerned, relative to the experiment folder; for data referenced in place outside it, its file name only */
  file: string;
  dataset?: string;
  item?: {
    id: string;
    name: string;
  };
  /** the run concerned (its id) */
  run?: string;
  /** what is wrong, one line */
  message: string;
  /** whether a check with `repair` fixes it (missing or changed data and orphan files are never "repaired") */
  repairable: boolean;
};

export type ExperimentSummary = {
  id: string;
  name: string;
  author: string;
  date: string;
  keys: string[];
};

/** what the format codec read from the file; images: axes, shape, dtype, physical sizes, time increment, channels (tables have other fields; every field is optional) */
export type FormatMetadata = {
  /** letters from TCZYXS, slowest first, one per shape entry */
  axes?: string;
  shape?: number[];
  dtype?: string;
  /** size of a pixel along x, y, z (and t: the time increment) with its unit */
  physicalSize?: {
    x?: {
      value: number;
      unit: string;
    };
    y?: {
      value: number;
      unit: string;
    };
    z?: {
      value: number;
      unit: string;
    };
    t?: {
      value: number;
      unit: string;
    };
  };
  /** time between two T positions */
  timeIncrement?: {
    value: number;
    unit: string;
  };
  /** one entry per channel, in C order */
  channels?: Channel[];
};

export type ImageInfo = {
  axes: string;
  shape: number[];
  dtype: string;
  sizeZ: number;
  sizeC: number;
  sizeT: number;
  width: number;
  height: number;
  /** 3 or 4 for RGB(A) images (one channel drawn in its own colours), else 1 */
  samples: number;
  /** size of a pixel along x, y, z: { value, unit } */
  physicalSize?: { [key: string]: unknown };
  /** time between two t positions: { value, unit } */
  timeIncrement?: { [key: string]: unknown };
  channels: {
    index: number;
    name?: string;
    /** the channel's own colour, else grey alone, else by wavelength, else red, green, blue… */
    color: string;
    excitation?: { [key: string]: unknown };
    emission?: { [key: string]: unknown };
    /** display window: 0.1-99.9 percentiles of the whole stack at t=0, and the extremes seen */
    window?: {
      start: number;
      end: number;
      min: number;
      max: number;
    };
  }[];
  /** why the pixels cannot be drawn (over the read limit, corrupt); the rest comes from the header */
  pixelsError?: string;
  /** an animated PNG (APNG): its frames and plays (0: forever); `GET .../animation.png` serves it as stored */
  animation?: {
    frames: number;
    plays: number;
  };
};

export type ImportRoot = {
  /** what an import names as its `root` */
  name: string;
};

export type ImportStart = {
  /** an import root from GET /api/import-roots */
  root: string;
  /** a file or folder inside the root, relative, with forward slashes (default: the root itself); `..` is refused */
  path?: string;
  /** walk sub-folders too */
  recursive?: boolean;
  /** only paths matching a glob (relative to the folder), e.g. '**\/*.tif' */
  glob?: string;
  /** only file names matching a regular expression */
  regex?: string;
  /** include dot-files */
  hidden?: boolean;
  /** copy files into the experiment, or reference them in place (default: the workspace setting) */
  mode?: 'copy' | 'reference';
  /** force a format id (default: by extension) */
  format?: string;
  /** author recorded on the items (default: the configured user) */
  author?: string;
  /** skip files already imported (same name and sha256) */
  skipExisting?: boolean;
  /** tags set on every item */
  tags?: { [key: string]: string };
  /** named groups of a regex on the file name become tags */
  tagRegex?: string[];
  /** named groups of a regex on the path relative to the folder become tags */
  tagPathRegex?: string[];
  /** tag KEY = the name of the folder holding each file */
  folderKey?: string;
  /** tag keys[0] = first folder under the imported one, keys[1] = second... */
  folderKeys?: string[];
};

export type ImportState = {
  id: string;
  /** experiment id */
  experiment: string;
  root: string;
  /** the path inside the root (empty: the root) */
  path: string;
  mode: 'copy' | 'reference';
  /** `partial`: some files failed, the others were imported */
  status: 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';
  start: string;
  end?: string;
  /** files with a known format the import reads */
  total: number;
  /** files read so far */
  done: number;
  /** items committed (once the import has ended) */
  imported: number;
  failedCount: number;
  skippedCount: number;
  /** the first 100 files that failed, by path inside the root */
  failed: {
    path: string;
    error: string;
  }[];
  /** the first 100 files left out (no known format, already imported), by path inside the root */
  skipped: {
    path: string;
    reason: string;
  }[];
  /** why the import as a whole failed */
  error?: string;
};

export type Item = {
  id: string;
  name: string;
  dataset: string;
  format: string;
  date: string;
  author: string;
  size?: number;
  sha256?: string;
  tags: { [key: string]: string };
  metadata: FormatMetadata;
  /** true when previews and thumbnails can be rendered */
  image: boolean;
  /** true for CSV/TSV tables, whose rows `GET .../items/{item}/table` pages through */
  table: boolean;
  origin: {
    type: 'raw' | 'processed';
    runId?: string;
    output?: string;
    inputs?: {
      name: string;
      id: string;
    }[];
  };
  /** present (true) when the data file does not exist (never written, or removed or moved since): the item is listed but its data cannot be read; `POST /api/experiments/{experiment}/check` lists every such item */
  missing?: boolean;
};

export type ItemPage = {
  dataset: string;
  where: string;
  total: number;
  offset: number;
  limit: number;
  keys: string[];
  items: Item[];
};

/** one execution of the tool inside a run */
export type JobRecord = {
  /** `job-0001` */
  id: string;
  index: number;
  /** input name → ids of the items bound to it */
  inputs: { [key: string]: string[] };
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'cached';
  exitCode?: number | null;
  signal?: string;
  start?: string;
  end?: string;
  /** log file, relative to the processed dataset folder (GET …/jobs/{job}/log serves it) */
  stdout?: string;
  stderr?: string;
  /** ids of the committed output items */
  outputs: string[];
  cacheKey: string;
  cachedFrom?: {
    runId: string;
    jobId: string;
  };
  /** why the job failed, one line */
  error?: string;
  /** runner facts: runner id, image digest, SLURM job id, conda lock... */
  environment?: { [key: string]: unknown };
};

export type Lineage = {
  root: string;
  nodes: {
    id: string;
    kind: 'item' | 'job' | 'run';
  }[];
  edges: {
    from: string;
    to: string;
    relation: 'wasGeneratedBy' | 'used' | 'partOf';
    role?: string;
  }[];
};

export type LiveRun = {
  runId: string;
  experiment: string;
  tool: string;
  dataset: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'partial';
  jobCount: number;
  finished: number;
  failed: number;
  fraction: number;
  error?: string;
};

/** an OpenAPI 3.1 document */
export type OpenApi = {
  openapi: string;
  info: { [key: string]: unknown };
  servers?: { [key: string]: unknown }[];
  paths: { [key: string]: unknown };
  components?: { [key: string]: unknown };
};

export type PipelineRun = {
  id: string;
  experiment: string;
  pipeline: string;
  file: string;
  /** the runner of every step, when the start named one */
  runner?: string;
  /** the runner options of every step, when the start set some */
  runnerOptions?: { [key: string]: string | number | boolean };
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'partial';
  start: string;
  end?: string;
  error?: string;
  /** in execution order */
  steps: {
    name: string;
    tool: string;
    outputDataset: string;
    status: 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'partial' | 'skipped';
    runId?: string;
    jobCount?: number;
    error?: string;
    /** why a skipped step did not run */
    reason?: string;
  }[];
};

export type PipelineStart = {
  /** a name from GET /api/pipelines (not a path) */
  pipeline: string;
  /** the runner of every step (as `bioimageit pipeline run --runner`); default: each tool chooses */
  runner?: string;
  /** per-run options of the runner of every step (requires `runner`; see GET /api/runners); a bad one answers 400 before any step runs */
  runnerOptions?: { [key: string]: string | number | boolean };
  /** jobs of a step run at once */
  jobs?: number;
  /** reuse outputs of identical earlier jobs (default true) */
  cache?: boolean;
};

export type PipelineSummary = {
  /** the name a run asks for */
  name: string;
  /** the file name (no folder) */
  file: string;
  /** the workspace's pipelines/ folder, or a tool folder */
  origin: 'workspace' | 'tools';
  steps: {
    name: string;
    tool: string;
    outputDataset: string;
  }[];
  /** why the file cannot run (absent when it can) */
  error?: string;
};

export type Run = {
  record: RunRecord;
  live?: LiveRun;
  /** the items the run made, in the order of their inputs (not the order jobs finished) */
  outputs?: {
    id: string;
    name: string;
    /** the job that made it (absent for BioImageIT v1 runs) */
    job?: string;
    inputs: {
      name: string;
      id: string;
    }[];
    /** the data file does not exist (never written by a failed v1 tool, or removed) */
    missing?: boolean;
  }[];
  /** item id → name of every item a job used or made */
  itemNames?: { [key: string]: string };
};

export type Runner = {
  /** what `runner` names in a run */
  id: string;
  /** the plugin contributing it (`core` for `local`) */
  plugin: string;
  /** false when its plugin cannot start on this server */
  available: boolean;
  /** why it cannot start (when not available) */
  reason?: string;
  /** the per-run options it accepts, by name */
  options: { [key: string]: RunnerOption };
};

export type RunnerOption = {
  type: 'string' | 'number' | 'integer' | 'boolean';
  description: string;
  /** what applies when a run sets none: the runner's configured setting */
  default?: string | number | boolean;
  /** the accepted values */
  enum?: string[];
  /** a regular expression the whole value must match */
  pattern?: string;
  minimum?: number;
  maximum?: number;
  /** never written down: run records show `***` */
  secret?: boolean;
};

/** the stored run record (run.md.json); one BioImageIT v1 wrote has status `unknown`, `recordedBy: bioimageit-v1`, no jobs, and no tool digest, runner, host, user or start */
export type RunRecord = {
  id: string;
  /** the processed dataset the run writes into */
  dataset: string;
  tool: {
    id: string;
    name: string;
    version?: string;
    /** content digest of the tool's manifest */
    digest?: string;
    /** where the manifest was loaded from */
    source?: string;
    authors?: string[];
    license?: string;
    cite?: {
      text: string;
      doi?: string;
      url?: string;
    }[];
    facts?: { [key: string]: string };
  };
  parameters: {
    name: string;
    value: string;
  }[];
  inputs: {
    name: string;
    dataset: string;
    query: string;
    originOutputName?: string;
    broadcast?: boolean;
  }[];
  matchBy?: string[] | 'position';
  groupBy?: string[];
  orderBy?: string[];
  /** the runner that ran the jobs (`local`, `docker`, `slurm`...) */
  runner?: string;
  /** the per-run runner options the run set (typed; secret ones read `***`); absent when it set none */
  runnerOptions?: { [key: string]: string | number | boolean };
  host?: string;
  user?: string;
  start?: string;
  end?: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'partial' | 'unknown';
  jobs: JobRecord[];
  recordedBy?: 'bioimageit-v1';
  /** versions of the BioImageIT components that made the run */
  software?: { [key: string]: string };
};

export type RunStart = {
  tool: string;
  params?: { [key: string]: string | number | boolean };
  inputs: {
    name: string;
    dataset?: string;
    /** a query in the BioImageIT query language; empty selects everything */
    query?: string;
    /** give this input's one item (a PSF, a model) to every job instead of pairing it */
    broadcast?: boolean;
  }[];
  outputDataset: string;
  matchBy?: string[] | 'position';
  groupBy?: string[];
  /** order of the items inside each group, numeric when the values are numbers */
  orderBy?: string[];
  jobs?: number;
  cache?: boolean;
  /** a runner the kernel has (`local`, `docker`, `slurm`, `conda`...); default: chosen by the tool requirements, else `local` */
  runner?: string;
  /** per-run options of the runner (`{"partition": "gpu", "time": "00:10:00"}`), over its configured settings: the names and types GET /api/runners lists for it; an option it does not declare, or a value of the wrong type, answers 400 naming the option */
  runnerOptions?: { [key: string]: string | number | boolean };
};

export type RunSummary = {
  id: string;
  dataset: string;
  tool: {
    id: string;
    name: string;
    version: string;
  };
  /** `unknown` for a run BioImageIT v1 wrote (it records no outcome) */
  status: string;
  /** present when another program wrote the run: BioImageIT v1 kept no status, jobs, runner, user or times */
  recordedBy?: 'bioimageit-v1';
  /** absent when never recorded (BioImageIT v1) */
  start?: string;
  end?: string;
  /** absent when never recorded (BioImageIT v1) */
  user?: string;
  /** how many jobs the run has, and how many ended each way */
  jobs: {
    total: number;
    succeeded: number;
    failed: number;
    cached: number;
    cancelled: number;
  };
  live?: LiveRun;
};

export type ServerInfo = {
  name: string;
  version: string;
  coreVersion: string;
  user: string;
  tokenRequired: boolean;
};

/** a page of a CSV/TSV table, read from the head of the file: rows after the page are not parsed. Cells longer than 2000 characters are cut (ending with …); a page whose cells pass 4 Mi characters stops early (fewer rows than asked, truncated true) */
export type TablePage = {
  /** the header record's fields */
  columns: string[];
  /** the data records of the page, in file order; ragged records keep their own length (shorter or longer than columns) */
  rows: string[][];
  /** index of the first row of the page among the data rows */
  offset: number;
  /** data rows in the file (header excluded); null when the file is over 32 MiB and the page did not reach its end (not counted) */
  totalRows: number | null;
  /** true when rows follow this page */
  truncated: boolean;
  /** the field separator, detected from the header */
  delimiter: ',' | ';' | '\t';
};

/** tags to set (key → value) and keys to remove on one item */
export type TagEdit = {
  set?: { [key: string]: string };
  remove?: string[];
};

export type Tool = {
  id: string;
  name: string;
  version: string;
  description: string;
  help?: string;
  /** who made the tool (`Name (ORCID …)`) */
  authors?: string[];
  /** SPDX licence identifier */
  license?: string;
  /** what to cite when the tool is used */
  cite?: {
    text: string;
    doi?: string;
    url?: string;
  }[];
  /** URL of the cover image (GET /api/tools/{tool}/cover), when the tool has one */
  cover?: string;
  categories: string[];
  type: 'map' | 'reduce';
  dataInputs: {
    name: string;
    label: string;
    format?: string;
  }[];
  outputs: {
    name: string;
    format: string;
    label: string;
  }[];
  /** JSON Schema of the parameters object a run takes */
  parameters: { [key: string]: unknown };
};

export type ToolSummary = {
  id: string;
  name: string;
  version: string;
  description: string;
  /** URL of the tool's cover image (model tools) */
  cover?: string;
};

/** tracks for drawing over an image; a spot is `[frame, x, y, z, t, radius]` in the physical unit of the image (null: no value) */
export type Tracks = {
  /** the tracks table read; null when there is none */
  source: {
    id: string;
    name: string;
  } | null;
  columns: string[];
  spotCount: number;
  /** true when the table has more spot rows than `limit` (those after are left out) */
  truncated: boolean;
  limit: number;
  tracks: {
    id: string;
    spots: TrackSpot[];
  }[];
  /** spots in no track */
  lone: TrackSpot[];
};

/** [frame, x, y, z, t, radius] */
export type TrackSpot = (number | null)[];

/** Every operation by its operationId: method, path, input and the type of its success answer. */
export interface ApiOperations {
  /** Stop a running import; the items it already committed stay */
  cancelImport: {
    method: 'POST';
    path: '/api/experiments/{experiment}/imports/{import}/cancel';
    status: 202;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
        /** import id (from the POST) */
        import: string;
      };
    };
    response: ImportState;
  };
  /** Stop a running pipeline: its running step is cancelled (nothing partial is committed) and no further step starts */
  cancelPipelineRun: {
    method: 'POST';
    path: '/api/experiments/{experiment}/pipelines/runs/{run}/cancel';
    status: 202;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
        /** pipeline run id (from the POST) */
        run: string;
      };
    };
    response: PipelineRun;
  };
  /** Cancel a running run started by this server */
  cancelRun: {
    method: 'POST';
    path: '/api/experiments/{experiment}/runs/{run}/cancel';
    status: 202;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
        /** run id */
        run: string;
      };
    };
    response: LiveRun;
  };
  /** Check an experiment: data files missing or changed, files no metadata names, index drift, duplicate entries, runs without status or missing */
  checkExperiment: {
    method: 'POST';
    path: '/api/experiments/{experiment}/check';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
      body: ExperimentCheck;
    };
    response: ExperimentCheckReport;
  };
  /** Create an empty experiment in the workspace's experiments location */
  createExperiment: {
    method: 'POST';
    path: '/api/experiments';
    status: 201;
    input: { body: ExperimentCreate };
    response: Experiment;
  };
  /** Delete an experiment of the workspace and the files it holds (files referenced in place are kept); asks for its name as confirmation */
  deleteExperiment: {
    method: 'DELETE';
    path: '/api/experiments/{experiment}';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
      query: {
        /** the experiment's name, as confirmation */
        confirm: string;
      };
    };
    response: ExperimentDeleted;
  };
  /** Set and/or remove tags of one item (new keys join the experiment's keys) */
  editItemTags: {
    method: 'PATCH';
    path: '/api/experiments/{experiment}/items/{item}/tags';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
        /** item id (uuid) */
        item: string;
      };
      body: TagEdit;
    };
    response: Item;
  };
  /** Set and/or remove tags on every item a query selects, atomically */
  editTagsByQuery: {
    method: 'POST';
    path: '/api/experiments/{experiment}/tags';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
      body: BulkTagEdit;
    };
    response: BulkTagResult;
  };
  /** The runs of an experiment as W3C PROV-JSON or RO-Crate 1.1 metadata (Process Run Crate) */
  exportProvenance: {
    method: 'GET';
    path: '/api/experiments/{experiment}/provenance';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
      query?: {
        /** document type */
        format?: 'prov-json' | 'ro-crate';
        /** only this run (default: all runs) */
        run?: string;
      };
    };
    response: { [key: string]: unknown };
  };
  /** An animated PNG (APNG) item's file as stored, which browsers play by themselves (previews draw one frame) */
  getAnimation: {
    method: 'GET';
    path: '/api/experiments/{experiment}/items/{item}/animation.png';
    status: 200;
    input: {
      params: {
        /** experiment id */
        experiment: string;
        /** item id */
        item: string;
      };
    };
    response: Uint8Array;
  };
  /** One experiment: tag keys and datasets with their item counts */
  getExperiment: {
    method: 'GET';
    path: '/api/experiments/{experiment}';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
    };
    response: Experiment;
  };
  /** Axes, shape, pixel type, physical sizes, time increment and channels of an image item, each channel with its colour and its display window (0.1-99.9 percentiles of its whole stack at the first time point; the viewer keeps it across z and t) */
  getImageInfo: {
    method: 'GET';
    path: '/api/experiments/{experiment}/items/{item}/image';
    status: 200;
    input: {
      params: {
        /** experiment id */
        experiment: string;
        /** item id */
        item: string;
      };
    };
    response: ImageInfo;
  };
  /** PNG of one z-plane or of the maximum projection over Z: the composite of the channels in their colours, each through the display window of its whole stack (or the window and colour given in `channels`), of a region at the size asked */
  getImagePreview: {
    method: 'GET';
    path: '/api/experiments/{experiment}/items/{item}/preview.png';
    status: 200;
    input: {
      params: {
        /** experiment id */
        experiment: string;
        /** item id */
        item: string;
      };
      query?: {
        /** z-plane index (ignored with projection=max) */
        z?: number;
        /** `max`: maximum-intensity projection over Z */
        projection?: 'none' | 'max';
        /** time point */
        t?: number;
        /** channels shown, as OMERO.web's render_image takes them: comma-separated `[-]N[|start:end][$RRGGBB]`, N counting from 1, `-` for off (e.g. `1|100:2000$0000FF,-2,3`); channels not listed are off; a window or colour not given is the default. Default: every channel on */
        channels?: string;
        /** one channel alone, in grey (index from 0; ignored with `channels`) */
        c?: number;
        /** the part drawn, `x,y,width,height` in full-resolution pixels (zoom and pan); default all */
        region?: string;
        /** longer side of the PNG in pixels: the region is reduced (area mean) or enlarged (nearest pixel) to it */
        size?: number;
      };
    };
    response: Uint8Array;
  };
  /** The tracks among the inputs of the job that made an image item (a tablecsv input whose header has track_id and frame), grouped by track and ordered by frame, for drawing over the image (at most 200000 spots) */
  getImageTracks: {
    method: 'GET';
    path: '/api/experiments/{experiment}/items/{item}/tracks';
    status: 200;
    input: {
      params: {
        /** experiment id */
        experiment: string;
        /** item id (the image) */
        item: string;
      };
    };
    response: Tracks;
  };
  /** One import: its progress, or how it ended (items imported, files that failed or were skipped) */
  getImport: {
    method: 'GET';
    path: '/api/experiments/{experiment}/imports/{import}';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
        /** import id (from the POST) */
        import: string;
      };
    };
    response: ImportState;
  };
  /** One item with its tags, format metadata and origin */
  getItem: {
    method: 'GET';
    path: '/api/experiments/{experiment}/items/{item}';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
        /** item id (uuid) */
        item: string;
      };
    };
    response: Item;
  };
  /** How an item was made: its job, run and inputs, back to raw data */
  getItemLineage: {
    method: 'GET';
    path: '/api/experiments/{experiment}/items/{item}/lineage';
    status: 200;
    input: {
      params: {
        /** experiment id */
        experiment: string;
        /** item id */
        item: string;
      };
    };
    response: Lineage;
  };
  /** The standard output or error of one job, as kept with the run */
  getJobLog: {
    method: 'GET';
    path: '/api/experiments/{experiment}/runs/{run}/jobs/{job}/log';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
        /** run id */
        run: string;
        /** job id (`job-0001`) */
        job: string;
      };
      query?: {
        /** which stream */
        stream?: 'stdout' | 'stderr';
      };
    };
    response: string;
  };
  /** This OpenAPI 3.1 document */
  getOpenApiDocument: {
    method: 'GET';
    path: '/api/openapi.json';
    status: 200;
    input: {};
    response: OpenApi;
  };
  /** A pipeline run started by this server: its status and each step (pending, running, succeeded, failed, skipped) with its run id */
  getPipelineRun: {
    method: 'GET';
    path: '/api/experiments/{experiment}/pipelines/runs/{run}';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
        /** pipeline run id (from the POST) */
        run: string;
      };
    };
    response: PipelineRun;
  };
  /** One run: its stored record (tool, parameters, inputs, environment, jobs), its outputs in input order, and live progress */
  getRun: {
    method: 'GET';
    path: '/api/experiments/{experiment}/runs/{run}';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
        /** run id */
        run: string;
      };
    };
    response: Run;
  };
  /** Server version, user and whether a token is required */
  getServerInfo: {
    method: 'GET';
    path: '/api';
    status: 200;
    input: {};
    response: ServerInfo;
  };
  /** Header and a page of rows of a CSV/TSV table item, read from the head of the file (rows after the page are not parsed) */
  getTablePage: {
    method: 'GET';
    path: '/api/experiments/{experiment}/items/{item}/table';
    status: 200;
    input: {
      params: {
        /** experiment id */
        experiment: string;
        /** item id */
        item: string;
      };
      query?: {
        /** data rows to skip (the header is never counted) */
        offset?: number;
        /** data rows to return */
        limit?: number;
      };
    };
    response: TablePage;
  };
  /** The item's thumbnail: the stored one, or the composite maximum projection drawn on demand (as the thumbnails plugin draws it) */
  getThumbnail: {
    method: 'GET';
    path: '/api/experiments/{experiment}/items/{item}/thumbnail.png';
    status: 200;
    input: {
      params: {
        /** experiment id */
        experiment: string;
        /** item id */
        item: string;
      };
      query?: {
        /** longest side of a rendered thumbnail */
        size?: number;
      };
    };
    response: Uint8Array;
  };
  /** One tool: data inputs, outputs and the JSON Schema of its parameters */
  getTool: {
    method: 'GET';
    path: '/api/tools/{tool}';
    status: 200;
    input: {
      params: {
        /** tool id (or v1 key `biitthreshold_v1.0.0`) */
        tool: string;
      };
    };
    response: Tool;
  };
  /** A tool's cover image (a model tool's first cover) */
  getToolCover: {
    method: 'GET';
    path: '/api/tools/{tool}/cover';
    status: 200;
    input: {
      params: {
        /** tool id */
        tool: string;
      };
    };
    response: Uint8Array;
  };
  /** Experiments of the workspace and those the server was started with */
  listExperiments: {
    method: 'GET';
    path: '/api/experiments';
    status: 200;
    input: {};
    response: ExperimentSummary[];
  };
  /** The server-side folders imports may read, by name (never their paths) */
  listImportRoots: {
    method: 'GET';
    path: '/api/import-roots';
    status: 200;
    input: {};
    response: ImportRoot[];
  };
  /** Imports of the experiment this server started (kept while it runs), oldest first */
  listImports: {
    method: 'GET';
    path: '/api/experiments/{experiment}/imports';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
    };
    response: ImportState[];
  };
  /** A page of a dataset's items selected by a query */
  listItems: {
    method: 'GET';
    path: '/api/experiments/{experiment}/items';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
      query?: {
        /** dataset name (default `data`, the raw dataset) */
        dataset?: string;
        /** query (`Population=population1 AND number>2`); empty: every item */
        where?: string;
        /** index of the first item of the page */
        offset?: number;
        /** page size */
        limit?: number;
        /** `name`, `date`, `format` or a tag key (natural order); stored order when absent */
        sort?: string;
        /** sort direction */
        order?: 'asc' | 'desc';
      };
    };
    response: ItemPage;
  };
  /** Pipeline runs of the experiment this server started (kept while it runs), oldest first, each with its steps */
  listPipelineRuns: {
    method: 'GET';
    path: '/api/experiments/{experiment}/pipelines/runs';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
    };
    response: PipelineRun[];
  };
  /** Pipeline files of the workspace: the JSON files of its 'pipelines/' folder and the '*pipeline*.json' files of the tool folders */
  listPipelines: {
    method: 'GET';
    path: '/api/pipelines';
    status: 200;
    input: {};
    response: PipelineSummary[];
  };
  /** Runners of the kernel (`local` and those of the configured plugins), each with the options a run may set for it */
  listRunners: {
    method: 'GET';
    path: '/api/runners';
    status: 200;
    input: {};
    response: Runner[];
  };
  /** Runs of an experiment, oldest first, with live progress for runs this server started */
  listRuns: {
    method: 'GET';
    path: '/api/experiments/{experiment}/runs';
    status: 200;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
    };
    response: RunSummary[];
  };
  /** Tools of the configured tool folders */
  listTools: {
    method: 'GET';
    path: '/api/tools';
    status: 200;
    input: {};
    response: ToolSummary[];
  };
  /** Import a file or folder of an import root into the experiment's raw dataset; answers once the import has started */
  startImport: {
    method: 'POST';
    path: '/api/experiments/{experiment}/imports';
    status: 202;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
      body: ImportStart;
    };
    response: ImportState;
  };
  /** Start a pipeline of the workspace (by its name, never a path) on an experiment; its steps run one after the other in the background */
  startPipeline: {
    method: 'POST';
    path: '/api/experiments/{experiment}/pipelines/runs';
    status: 202;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
      body: PipelineStart;
    };
    response: PipelineRun;
  };
  /** Start a tool over the items the inputs' queries select; answers once the run has started */
  startRun: {
    method: 'POST';
    path: '/api/experiments/{experiment}/runs';
    status: 202;
    input: {
      params: {
        /** experiment id (from GET /api/experiments) */
        experiment: string;
      };
      body: RunStart;
    };
    response: LiveRun;
  };
  /** Server-sent events of runs and imports: progress, job starts and ends, final status; resumable with Last-Event-ID */
  streamEvents: {
    method: 'GET';
    path: '/api/events';
    status: 200;
    input: {
      query?: {
        /** only runs of this experiment id */
        experiment?: string;
        /** only this run (or import: its id) */
        run?: string;
        /** as the Last-Event-ID header, for clients that cannot set headers (the header wins) */
        lastEventId?: string;
      };
    };
    response: Response;
  };
}

/** How the client sends each operation and reads its answer. */
export const API_OPERATIONS: {
  readonly [K in keyof ApiOperations]: {
    readonly method: ApiOperations[K]['method'];
    readonly path: ApiOperations[K]['path'];
    readonly response: 'json' | 'text' | 'bytes' | 'stream';
  };
} = {
  cancelImport: { method: 'POST', path: '/api/experiments/{experiment}/imports/{import}/cancel', response: 'json' },
  cancelPipelineRun: { method: 'POST', path: '/api/experiments/{experiment}/pipelines/runs/{run}/cancel', response: 'json' },
  cancelRun: { method: 'POST', path: '/api/experiments/{experiment}/runs/{run}/cancel', response: 'json' },
  checkExperiment: { method: 'POST', path: '/api/experiments/{experiment}/check', response: 'json' },
  createExperiment: { method: 'POST', path: '/api/experiments', response: 'json' },
  deleteExperiment: { method: 'DELETE', path: '/api/experiments/{experiment}', response: 'json' },
  editItemTags: { method: 'PATCH', path: '/api/experiments/{experiment}/items/{item}/tags', response: 'json' },
  editTagsByQuery: { method: 'POST', path: '/api/experiments/{experiment}/tags', response: 'json' },
  exportProvenance: { method: 'GET', path: '/api/experiments/{experiment}/provenance', response: 'json' },
  getAnimation: { method: 'GET', path: '/api/experiments/{experiment}/items/{item}/animation.png', response: 'bytes' },
  getExperiment: { method: 'GET', path: '/api/experiments/{experiment}', response: 'json' },
  getImageInfo: { method: 'GET', path: '/api/experiments/{experiment}/items/{item}/image', response: 'json' },
  getImagePreview: { method: 'GET', path: '/api/experiments/{experiment}/items/{item}/preview.png', response: 'bytes' },
  getImageTracks: { method: 'GET', path: '/api/experiments/{experiment}/items/{item}/tracks', response: 'json' },
  getImport: { method: 'GET', path: '/api/experiments/{experiment}/imports/{import}', response: 'json' },
  getItem: { method: 'GET', path: '/api/experiments/{experiment}/items/{item}', response: 'json' },
  getItemLineage: { method: 'GET', path: '/api/experiments/{experiment}/items/{item}/lineage', response: 'json' },
  getJobLog: { method: 'GET', path: '/api/experiments/{experiment}/runs/{run}/jobs/{job}/log', response: 'text' },
  getOpenApiDocument: { method: 'GET', path: '/api/openapi.json', response: 'json' },
  getPipelineRun: { method: 'GET', path: '/api/experiments/{experiment}/pipelines/runs/{run}', response: 'json' },
  getRun: { method: 'GET', path: '/api/experiments/{experiment}/runs/{run}', response: 'json' },
  getServerInfo: { method: 'GET', path: '/api', response: 'json' },
  getTablePage: { method: 'GET', path: '/api/experiments/{experiment}/items/{item}/table', response: 'json' },
  getThumbnail: { method: 'GET', path: '/api/experiments/{experiment}/items/{item}/thumbnail.png', response: 'bytes' },
  getTool: { method: 'GET', path: '/api/tools/{tool}', response: 'json' },
  getToolCover: { method: 'GET', path: '/api/tools/{tool}/cover', response: 'bytes' },
  listExperiments: { method: 'GET', path: '/api/experiments', response: 'json' },
  listImportRoots: { method: 'GET', path: '/api/import-roots', response: 'json' },
  listImports: { method: 'GET', path: '/api/experiments/{experiment}/imports', response: 'json' },
  listItems: { method: 'GET', path: '/api/experiments/{experiment}/items', response: 'json' },
  listPipelineRuns: { method: 'GET', path: '/api/experiments/{experiment}/pipelines/runs', response: 'json' },
  listPipelines: { method: 'GET', path: '/api/pipelines', response: 'json' },
  listRunners: { method: 'GET', path: '/api/runners', response: 'json' },
  listRuns: { method: 'GET', path: '/api/experiments/{experiment}/runs', response: 'json' },
  listTools: { method: 'GET', path: '/api/tools', response: 'json' },
  startImport: { method: 'POST', path: '/api/experiments/{experiment}/imports', response: 'json' },
  startPipeline: { method: 'POST', path: '/api/experiments/{experiment}/pipelines/runs', response: 'json' },
  startRun: { method: 'POST', path: '/api/experiments/{experiment}/runs', response: 'json' },
  streamEvents: { method: 'GET', path: '/api/events', response: 'stream' },
};
