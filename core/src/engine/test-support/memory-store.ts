import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StorageError } from '../../errors/area-errors.js';
import type { ExperimentStore } from '../../extension-points/storage-backend.js';
import type { DataItem, Tags } from '../../model/data-item.js';
import type { DatasetInfo, Experiment, NewRawItem } from '../../model/experiment.js';
import type { NewProcessedItem, RunRecord } from '../../model/run.js';
import { sharedTags } from '../shared-tags.js';

/**
 * A small ExperimentStore for the engine's unit specs: items and runs in memory, data files on disk
 * under `root` (raw items referenced in place, processed outputs moved into `root/<dataset>/`).
 * Counts writes so specs can check batching.
 */
export class MemoryStore implements ExperimentStore {
  readonly uri: string;
  readonly datasets = new Map<string, DataItem[]>([['data', []]]);
  readonly runs = new Map<string, RunRecord>();
  readonly saveRunCalls: RunRecord[] = [];
  readonly commitCalls: (readonly NewProcessedItem[])[] = [];
  /** Set to make the next commits fail. */
  failCommits = false;

  constructor(readonly root: string) {
    this.uri = pathToFileURL(root).href;
  }

  async info(): Promise<Experiment> {
    return { id: 'mem', uri: this.uri, name: 'mem', author: 'tester', date: '2026-01-01', keys: ['Population', 'number'], datasets: await this.listDatasets() };
  }

  async listDatasets(): Promise<readonly DatasetInfo[]> {
    return [...this.datasets].map(([name, items]) => ({
      id: name,
      name,
      kind: name === 'data' ? 'raw' : 'processed',
      uri: `${this.uri}/${name}`,
      itemCount: items.length,
    }));
  }

  async items(dataset = 'data'): Promise<readonly DataItem[]> {
    const items = this.datasets.get(dataset);
    if (items === undefined) throw new StorageError('NOT_FOUND', `no dataset '${dataset}'`);
    return [...items];
  }

  async getItem(id: string): Promise<DataItem> {
    for (const items of this.datasets.values()) {
      const hit = items.find((i) => i.id === id);
      if (hit !== undefined) return hit;
    }
    throw new StorageError('NOT_FOUND', `no item '${id}'`);
  }

  async addRawItems(items: readonly NewRawItem[]): Promise<readonly DataItem[]> {
    const added = items.map((n): DataItem => ({
      id: randomUUID(),
      uri: `${this.uri}/data/${n.name}.md.json`,
      dataset: 'data',
      name: n.name,
      format: n.format,
      dataUri: pathToFileURL(n.sourcePath).href,
      author: n.author,
      date: n.date,
      size: n.size,
      ...(n.sha256 !== '' && { sha256: n.sha256 }),
      tags: n.tags,
      metadata: {},
      origin: { type: 'raw' },
    }));
    this.datasets.get('data')?.push(...added);
    return added;
  }

  /** PNG bytes by item id, as saved by saveThumbnail. */
  readonly thumbnails = new Map<string, Uint8Array>();

  async saveThumbnail(itemId: string, png: Uint8Array): Promise<string> {
    for (const items of this.datasets.values()) {
      const at = items.findIndex((i) => i.id === itemId);
      if (at < 0) continue;
      const uri = `${this.uri}/thumbnails/${itemId}.png`;
      this.thumbnails.set(itemId, png);
      items[at] = { ...(items[at] as DataItem), thumbnail: uri };
      return uri;
    }
    throw new StorageError('NOT_FOUND', `no item '${itemId}'`);
  }

  async updateTags(): Promise<void> {}
  async setTagKeys(): Promise<void> {}

  async ensureProcessedDataset(name: string): Promise<DatasetInfo> {
    if (name === 'data' || name === '') throw new StorageError('INVALID', `bad dataset name '${name}'`);
    if (!this.datasets.has(name)) this.datasets.set(name, []);
    return (await this.listDatasets()).find((d) => d.name === name) as DatasetInfo;
  }

  async saveRun(run: RunRecord): Promise<void> {
    if (!this.datasets.has(run.dataset)) throw new StorageError('NOT_FOUND', `no dataset '${run.dataset}'`);
    this.runs.set(run.id, structuredClone(run));
    this.saveRunCalls.push(structuredClone(run));
  }

  async saveRunLog(dataset: string, runId: string, name: string, sourcePath: string): Promise<string> {
    const relative = join('logs', runId, name);
    await mkdir(join(this.root, dataset, 'logs', runId), { recursive: true });
    await copyFile(sourcePath, join(this.root, dataset, relative));
    return relative;
  }

  async listRuns(dataset?: string): Promise<readonly RunRecord[]> {
    if (dataset !== undefined && !this.datasets.has(dataset)) throw new StorageError('NOT_FOUND', `no dataset '${dataset}'`);
    return [...this.runs.values()].filter((r) => dataset === undefined || r.dataset === dataset);
  }

  async commitProcessedItems(dataset: string, items: readonly NewProcessedItem[]): Promise<readonly DataItem[]> {
    const target = this.datasets.get(dataset);
    if (target === undefined) throw new StorageError('NOT_FOUND', `no dataset '${dataset}'`);
    if (this.failCommits) throw new StorageError('IO', 'disk full (simulated)');
    this.commitCalls.push(items);
    await mkdir(join(this.root, dataset), { recursive: true });
    const made: DataItem[] = [];
    for (const n of items) {
      const inputs = await Promise.all(n.origin.inputs.map(async (i) => ({ ...i, item: await this.getItem(i.id) })));
      let name = n.name;
      for (let k = 1; target.some((i) => i.name === name) || made.some((i) => i.name === name); k++) name = n.name.replace(/(\.[^.]+)?$/, `_${k}$1`);
      const path = join(this.root, dataset, name);
      await rename(n.sourcePath, path);
      made.push({
        id: randomUUID(),
        uri: `${this.uri}/${dataset}/${name}.md.json`,
        dataset,
        name,
        format: n.format,
        dataUri: pathToFileURL(path).href,
        author: n.author,
        date: n.date,
        size: n.size,
        sha256: n.sha256,
        tags: { ...inheritedTags(inputs.filter((i) => i.broadcast !== true || inputs.every((j) => j.broadcast === true)).map((i) => i.item)), ...n.tags },
        metadata: n.metadata,
        origin: {
          type: 'processed',
          run: { id: n.origin.runId, uri: '' },
          inputs: inputs.map((i) => ({ name: i.name, id: i.id, uri: i.item.uri, type: i.item.origin.type })),
          output: n.origin.output,
          job: n.origin.job,
        },
      });
    }
    target.push(...made);
    return made;
  }

  async createStagingDir(label: string): Promise<string> {
    await mkdir(join(this.root, '.staging'), { recursive: true });
    return mkdtemp(join(this.root, '.staging', `${label}-`));
  }

  async localize(item: DataItem): Promise<string> {
    return fileURLToPath(item.dataUri);
  }

  async close(): Promise<void> {}
}

/** What an output inherits: its input's tags, or those its several input items all share (broadcast inputs left out by the caller). */
function inheritedTags(inputs: readonly DataItem[]): Tags {
  const distinct = [...new Map(inputs.map((i) => [i.id, i])).values()];
  return distinct.length > 1 ? sharedTags(distinct.map((i) => i.tags)) : (distinct[0]?.tags ?? {});
}
