import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StorageError } from '../../errors/area-errors.js';
import type { ExperimentStore } from '../../extension-points/storage-backend.js';
import type { DataItem, OriginInput, Tags } from '../../model/data-item.js';
import type { DatasetInfo, Experiment } from '../../model/experiment.js';
import type { RunRecord } from '../../model/run.js';

/** How a processed item names its making in the fake store. */
export interface FakeOrigin {
  readonly runId: string;
  readonly jobId?: string;
  readonly inputs: readonly { readonly name: string; readonly id: string }[];
  readonly output?: string;
}

/**
 * A small in-memory ExperimentStore for provenance specs: items and run records live in memory,
 * data files are real files under `root` (so exporters can hash and copy them). Write methods the
 * exporters never call reject with UNSUPPORTED.
 */
export class InMemoryExperimentStore implements ExperimentStore {
  readonly uri: string;
  private readonly itemList: DataItem[] = [];
  private readonly runList: RunRecord[] = [];
  private readonly datasetNames: string[] = ['data'];

  constructor(
    private readonly root: string,
    private readonly name = 'fake experiment',
  ) {
    this.uri = pathToFileURL(root).href;
  }

  /** Adds a raw item whose data file holds `content`. */
  async addRaw(id: string, name: string, content: string, tags: Tags = {}, options: { withDigest?: boolean } = {}): Promise<DataItem> {
    return this.addItem({ id, name, dataset: 'data', content, tags, origin: { type: 'raw' }, withDigest: options.withDigest ?? true });
  }

  /** Adds a processed item made by `origin.runId` from `origin.inputs` (tags inherited from the first input). */
  async addProcessed(
    id: string,
    dataset: string,
    name: string,
    content: string,
    origin: FakeOrigin,
    options: { withDigest?: boolean } = {},
  ): Promise<DataItem> {
    const inputs: OriginInput[] = origin.inputs.map((i) => {
      const input = this.itemList.find((it) => it.id === i.id);
      return { name: i.name, id: i.id, uri: input?.uri ?? `memory://${i.id}`, type: input?.origin.type ?? 'raw' };
    });
    const tags = this.itemList.find((it) => it.id === origin.inputs[0]?.id)?.tags ?? {};
    return this.addItem({
      id,
      name,
      dataset,
      content,
      tags,
      withDigest: options.withDigest ?? true,
      origin: {
        type: 'processed',
        run: { id: origin.runId, uri: `memory://runs/${origin.runId}` },
        inputs,
        output: { name: origin.output ?? 'o', label: 'Output' },
        ...(origin.jobId !== undefined && { job: { id: origin.jobId, cacheKey: `key-${origin.jobId}` } }),
      },
    });
  }

  addRun(run: RunRecord): void {
    this.runList.push(run);
    if (!this.datasetNames.includes(run.dataset)) this.datasetNames.push(run.dataset);
  }

  /** Drops an item (to simulate a deleted input). */
  removeItem(id: string): void {
    const at = this.itemList.findIndex((i) => i.id === id);
    if (at >= 0) this.itemList.splice(at, 1);
  }

  private async addItem(spec: {
    id: string;
    name: string;
    dataset: string;
    content: string;
    tags: Tags;
    origin: DataItem['origin'];
    withDigest: boolean;
  }): Promise<DataItem> {
    const folder = join(this.root, spec.dataset);
    await mkdir(folder, { recursive: true });
    const path = join(folder, spec.name);
    await writeFile(path, spec.content);
    const bytes = Buffer.from(spec.content);
    const item: DataItem = {
      id: spec.id,
      uri: `memory://items/${spec.id}`,
      dataset: spec.dataset,
      name: spec.name,
      format: spec.name.endsWith('.csv') ? 'tablecsv' : 'imagetiff',
      dataUri: pathToFileURL(path).href,
      author: 'importer',
      date: '2025-01-02',
      tags: spec.tags,
      metadata: {},
      origin: spec.origin,
      ...(spec.withDigest && { size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') }),
    };
    this.itemList.push(item);
    if (!this.datasetNames.includes(spec.dataset)) this.datasetNames.push(spec.dataset);
    return item;
  }

  async info(): Promise<Experiment> {
    return {
      id: 'exp-1',
      uri: this.uri,
      name: this.name,
      author: 'ada',
      date: '2025-01-01',
      keys: ['Population', 'number'],
      datasets: await this.listDatasets(),
    };
  }

  async listDatasets(): Promise<readonly DatasetInfo[]> {
    return this.datasetNames.map((name) => ({
      id: `ds-${name}`,
      name,
      kind: name === 'data' ? ('raw' as const) : ('processed' as const),
      uri: `${this.uri}/${name}`,
      itemCount: this.itemList.filter((i) => i.dataset === name).length,
    }));
  }

  async items(dataset = 'data'): Promise<readonly DataItem[]> {
    return this.itemList.filter((i) => i.dataset === dataset);
  }

  async getItem(id: string): Promise<DataItem> {
    const item = this.itemList.find((i) => i.id === id);
    if (item === undefined) throw new StorageError('NOT_FOUND', `no item '${id}'`);
    return item;
  }

  async listRuns(dataset?: string): Promise<readonly RunRecord[]> {
    return this.runList.filter((r) => dataset === undefined || r.dataset === dataset);
  }

  async localize(item: DataItem): Promise<string> {
    return fileURLToPath(item.dataUri);
  }

  async close(): Promise<void> {}

  private unsupported(): never {
    throw new StorageError('UNSUPPORTED', 'the in-memory store does not write');
  }
  addRawItems(): Promise<readonly DataItem[]> {
    return this.unsupported();
  }
  updateTags(): Promise<void> {
    return this.unsupported();
  }
  setTagKeys(): Promise<void> {
    return this.unsupported();
  }
  ensureProcessedDataset(): Promise<DatasetInfo> {
    return this.unsupported();
  }
  saveRun(): Promise<void> {
    return this.unsupported();
  }
  saveRunLog(): Promise<string> {
    return this.unsupported();
  }
  commitProcessedItems(): Promise<readonly DataItem[]> {
    return this.unsupported();
  }
  createStagingDir(): Promise<string> {
    return this.unsupported();
  }
  saveThumbnail(): Promise<string> {
    return this.unsupported();
  }
}
