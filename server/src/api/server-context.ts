import type { Kernel } from '@bioimageit/core';
import type { ExperimentCatalog } from './experiment-catalog.js';
import type { ItemPager } from './item-page.js';
import type { ImageFormats } from './item-view.js';
import type { PipelineCatalog } from '../runs/pipeline-catalog.js';
import type { PipelineTracker } from '../runs/pipeline-tracker.js';
import type { RunTracker } from '../runs/run-tracker.js';
import type { PreviewService } from '../render/preview-service.js';
import type { ImportRoots } from '../imports/import-roots.js';
import type { ImportTracker } from '../imports/import-tracker.js';

/** What the route handlers work with; built once by `startServer`. */
export interface ServerContext {
  readonly kernel: Kernel;
  readonly catalog: ExperimentCatalog;
  readonly pager: ItemPager;
  readonly runs: RunTracker;
  /** The pipeline files the workspace offers. */
  readonly pipelineFiles: PipelineCatalog;
  /** Pipeline runs started through the API. */
  readonly pipelines: PipelineTracker;
  readonly previews: PreviewService;
  /** The server-side folders imports may read, by name. */
  readonly importRoots: ImportRoots;
  /** Imports started through the API. */
  readonly imports: ImportTracker;
  /** Format ids of the registered image codecs (items of these formats can be previewed). */
  readonly imageFormats: ImageFormats;
  /** Whether API requests need the token (the server is bound beyond the loopback interface or was given one). */
  readonly tokenRequired: boolean;
  /** Server package version. */
  readonly version: string;
}
