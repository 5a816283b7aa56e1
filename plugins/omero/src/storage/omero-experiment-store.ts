import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type DataItem,
  type DatasetInfo,
  type Experiment,
  type ExperimentStore,
  mapConcurrent,
  type NewProcessedItem,
  type NewRawItem,
  type RunRecord,
  StorageError,
  type TagUpdate,
} from '@bioimageit/core';
import { resolveDataset, resolveProcessed, type DatasetTarget } from './dataset-names.js';
import { datasetInfos, experimentOf, experimentUri, loadLayout, type ExperimentLayout, type ProcessedDataset } from './experiment-layout.js';
import { experimentPairs, parseItemId } from './item-records.js';
import { localizeItem } from './localize-item.js';
import { checkName } from './name-rules.js';
import { NS_DATASET, NS_EXPERIMENT } from './omero-model.js';
import { listOutputs, logFileName, processedItems, readRuns, runFileName, type StoredOutput } from './processed-items.js';
import { commitOutputs } from './commit-outputs.js';
import { importRawItems } from './import-raw-items.js';
import { getImages, listImages, rawItem } from './raw-items.js';
import { SerialKeys } from './serial-keys.js';
import { saveThumbnailOf } from './save-thumbnail.js';
import { applyTagUpdates } from './apply-tag-updates.js';
import { imageTagKeys, keysOfTags, mergeKeys } from './tag-keys.js';
import type { ExperimentAccess, OmeroStoreContext } from './store-access.js';

export type { OmeroStoreContext } from './store-access.js';

/** How long tag keys read from the images of a Project without an experiment record are reused. */
const FOUND_KEYS_MAX_AGE_MS = 60_000;

/** What the raw images' tag keys were read for: the raw Datasets and their image counts. */
function rawSignature(layout: ExperimentLayout): string {
  return layout.raw.map((d) => `${d['@id']}:${d['omero:childCount'] ?? '?'}`).join(',');
}

/**
 * An OMERO Project opened as an experiment: raw items are the Images of its Datasets, tags their
 * key/value MapAnnotations in the client namespace, processed datasets Datasets marked in our
 * namespace whose items are FileAnnotations on the source Images, described by a MapAnnotation
 * in our namespace, with the run record as a JSON file on the processed Dataset.
 */
export class OmeroExperimentStore implements ExperimentStore {
  readonly uri: string;
  private cached?: Promise<ExperimentLayout>;
  private readonly serial = new SerialKeys();
  private readonly runs = new Map<string, RunRecord>();
  private members?: { layout: ExperimentLayout; ids: Promise<Set<number>> };
  /** Tag keys in use on the raw images (read for Projects without an experiment record), with what they were read for and when. */
  private found?: { readonly signature: string; readonly at: number; keys: Promise<string[]> };
  /** What the helpers (import, commit, tag edits, thumbnails) get of this store, rather than the store itself. */
  private readonly access: ExperimentAccess;

  constructor(
    readonly ctx: OmeroStoreContext,
    layout: ExperimentLayout,
  ) {
    this.uri = experimentUri(layout);
    this.cached = Promise.resolve(layout);
    this.access = {
      uri: this.uri,
      ctx,
      layout: (fresh) => this.layout(fresh),
      getItem: (id) => this.getItem(id),
      checkItemIds: (ids) => this.checkItemIds(ids),
      outputs: () => this.outputs(),
      knownRun: (id) => this.runs.get(id),
      serialized: (key, fn) => this.serial.run(key, fn),
    };
  }

  /** The experiment's layout; `fresh` re-reads it from OMERO (4 requests). */
  private layout(fresh = false): Promise<ExperimentLayout> {
    if (fresh || this.cached === undefined) {
      this.cached = loadLayout(this.ctx.repo, this.ctx.server, this.ctx.projectId);
      this.cached.catch(() => (this.cached = undefined));
    }
    return this.cached;
  }

  async info(): Promise<Experiment> {
    const layout = await this.layout(true);
    const outputs = await listOutputs(this.ctx.repo, layout.processed);
    return { ...experimentOf(layout, this.datasetsOf(layout, outputs)), keys: await this.keysOf(layout, outputs) };
  }

  async listDatasets(): Promise<readonly DatasetInfo[]> {
    const layout = await this.layout(true);
    return this.datasetsOf(layout, await listOutputs(this.ctx.repo, layout.processed));
  }

  private datasetsOf(layout: ExperimentLayout, outputs: readonly StoredOutput[]): DatasetInfo[] {
    const counts = new Map<number, number>();
    for (const o of outputs) counts.set(o.dataset.datasetId, (counts.get(o.dataset.datasetId) ?? 0) + 1);
    return datasetInfos(layout, counts);
  }

  /**
   * The experiment's tag keys. A Project BioImageIT keeps a record on has the recorded keys (the
   * record is kept in step with every tag BioImageIT writes). A Project made in OMERO has none:
   * its keys are its tags' texts, then the keys of the key/value pairs in use on its images (read
   * once: one image listing per raw Dataset and one annotation request per 200 images, reused
   * for a minute unless images are added) and the processed items' own tag keys.
   */
  private async keysOf(layout: ExperimentLayout, outputs?: readonly StoredOutput[]): Promise<string[]> {
    if (layout.recordAnnId !== undefined) return [...layout.keys];
    const own = keysOfTags((outputs ?? (await listOutputs(this.ctx.repo, layout.processed))).map((o) => o.record.ownTags));
    return mergeKeys(layout.keys, await this.rawKeys(layout), own);
  }

  /** Tag keys in use on the raw images (see {@link keysOf}). */
  private rawKeys(layout: ExperimentLayout): Promise<string[]> {
    const signature = rawSignature(layout);
    const found = this.found;
    if (found !== undefined && found.signature === signature && Date.now() - found.at < FOUND_KEYS_MAX_AGE_MS) return found.keys;
    const keys = this.rawImageIds(layout).then((ids) => imageTagKeys(this.ctx.repo, [...ids]));
    const entry = { signature, at: Date.now(), keys };
    this.found = entry;
    keys.catch(() => {
      if (this.found === entry) this.found = undefined;
    });
    return keys;
  }

  /** The raw Dataset(s) or processed Dataset a dataset name stands for (re-reading the layout once when the cached one does not know it). */
  private async datasetTarget(name: string): Promise<{ layout: ExperimentLayout; target: DatasetTarget }> {
    const cached = await this.layout();
    try {
      return { layout: cached, target: resolveDataset(cached, name) };
    } catch {
      const layout = await this.layout(true);
      return { layout, target: resolveDataset(layout, name) };
    }
  }

  async items(dataset = 'data'): Promise<readonly DataItem[]> {
    const { layout, target } = await this.datasetTarget(dataset);
    if (target.kind === 'processed') return processedItems(this.ctx.repo, this.ctx.server, await listOutputs(this.ctx.repo, [target.dataset]));
    const { images, anns } = await listImages(
      this.ctx.repo,
      target.datasets.map((d) => d['@id']),
    );
    const items = images.map((i) => rawItem(this.ctx.server, i, anns.get(i['@id'])));
    // Listing every raw image read their tags: keep the keys in use (see keysOf).
    if (target.datasets === layout.raw)
      this.found = { signature: rawSignature(layout), at: Date.now(), keys: Promise.resolve(keysOfTags(items.map((i) => i.tags))) };
    return items;
  }

  async getItem(id: string): Promise<DataItem> {
    const [item] = await this.resolveItems([id]);
    return item!;
  }

  /**
   * Items by id, NOT_FOUND naming the first unknown one. Raw ids are checked against the
   * experiment's raw Datasets (an Image of another Project is not found here).
   */
  async resolveItems(ids: readonly string[]): Promise<DataItem[]> {
    const parsed = ids.map((id) => ({ id, ref: parseItemId(id) }));
    const missing = (id: string) => new StorageError('NOT_FOUND', `no item '${id}' in experiment ${this.uri}`, { details: { item: id, experiment: this.uri } });
    const bad = parsed.find((p) => p.ref === undefined);
    if (bad) throw missing(bad.id);
    const layout = await this.layout();
    const imageIds = parsed.filter((p) => p.ref!.kind === 'image').map((p) => p.ref!.id);
    const found = new Map<string, DataItem>();
    if (imageIds.length > 0) {
      const members = await this.rawImageIds(layout, imageIds);
      const absent = parsed.find((p) => p.ref!.kind === 'image' && !members.has(p.ref!.id));
      if (absent) throw missing(absent.id);
      const { images, anns } = await getImages(this.ctx.repo, [...new Set(imageIds)]);
      for (const image of images) found.set(`image-${image['@id']}`, rawItem(this.ctx.server, image, anns.get(image['@id'])));
    }
    if (parsed.some((p) => p.ref!.kind === 'file')) {
      const outputs = await listOutputs(this.ctx.repo, layout.processed);
      const wanted = new Set(parsed.filter((p) => p.ref!.kind === 'file').map((p) => p.ref!.id));
      for (const item of await processedItems(
        this.ctx.repo,
        this.ctx.server,
        outputs.filter((o) => wanted.has(o.record.fileAnnotation)),
      ))
        found.set(item.id, item);
    }
    return parsed.map((p) => {
      const item = found.get(p.id);
      if (item === undefined) throw missing(p.id);
      return item;
    });
  }

  /**
   * Ids of every Image in the raw Datasets (a paged listing of each, no annotations), kept until
   * the layout is re-read or images are added; an id not found there triggers one fresh listing.
   */
  private async rawImageIds(layout: ExperimentLayout, wanted: readonly number[] = []): Promise<Set<number>> {
    const list = async () => new Set((await mapConcurrent(layout.raw, 2, (d) => this.ctx.repo.images(d['@id']))).flat().map((i) => i['@id']));
    let members = this.members?.layout === layout ? await this.members.ids : undefined;
    if (members === undefined || wanted.some((id) => !members!.has(id))) {
      const ids = list();
      this.members = { layout, ids };
      ids.catch(() => (this.members = undefined));
      members = await ids;
    }
    return members;
  }

  /** Forgets the cached raw image ids (after an import). */
  private forgetMembers(): void {
    this.members = undefined;
  }

  /**
   * Checks that every id names an item of this experiment without fetching the items: raw ids
   * against the raw Datasets' images, processed ids against the output records. NOT_FOUND names
   * the first unknown id. Resolves with the output records (for processed ids) by item id.
   */
  private async checkItemIds(ids: readonly string[]): Promise<Map<string, StoredOutput>> {
    const missing = (id: string) => new StorageError('NOT_FOUND', `no item '${id}' in experiment ${this.uri}`, { details: { item: id, experiment: this.uri } });
    const refs = ids.map((id) => ({ id, ref: parseItemId(id) }));
    const unparsed = refs.find((r) => r.ref === undefined);
    if (unparsed) throw missing(unparsed.id);
    const layout = await this.layout();
    const images = refs.filter((r) => r.ref!.kind === 'image');
    const members =
      images.length > 0
        ? await this.rawImageIds(
            layout,
            images.map((r) => r.ref!.id),
          )
        : new Set<number>();
    const absent = images.find((r) => !members.has(r.ref!.id));
    if (absent) throw missing(absent.id);
    const files = refs.filter((r) => r.ref!.kind === 'file');
    const outputs = new Map((files.length > 0 ? await listOutputs(this.ctx.repo, layout.processed) : []).map((o) => [`file-${o.record.fileAnnotation}`, o]));
    const absentFile = files.find((r) => !outputs.has(r.id));
    if (absentFile) throw missing(absentFile.id);
    return outputs;
  }

  /** Stored outputs by processed item id (for tag edits and thumbnails). */
  private async outputs(): Promise<StoredOutput[]> {
    return listOutputs(this.ctx.repo, (await this.layout()).processed);
  }

  async addRawItems(items: readonly NewRawItem[]): Promise<readonly DataItem[]> {
    for (const item of items) checkName(item.name, 'item');
    if (items.length === 0) return [];
    const added = await importRawItems(this.access, items).finally(() => {
      this.forgetMembers();
      this.found = undefined;
    });
    const newKeys = items.flatMap((i) => Object.keys(i.tags));
    await this.addKeys(newKeys);
    return added;
  }

  /**
   * Appends keys the experiment does not have yet (Project tags and the recorded order). A
   * Project without an experiment record shows the keys in use (see {@link keysOf}): nothing to
   * record; it gets a record only when its keys are set (setTagKeys).
   */
  private async addKeys(keys: readonly string[]): Promise<void> {
    const layout = await this.layout(true);
    if (layout.recordAnnId === undefined) return;
    const missing = [...new Set(keys)].filter((k) => !layout.keys.includes(k));
    if (missing.length > 0) await this.setTagKeys([...layout.keys, ...missing]);
  }

  async updateTags(updates: readonly TagUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await applyTagUpdates(this.access, updates);
    const set = updates.flatMap((u) => Object.keys(u.set ?? {}));
    const found = this.found;
    if (found !== undefined) found.keys = found.keys.then((keys) => mergeKeys(keys, set));
    await this.addKeys(set);
  }

  async setTagKeys(keys: readonly string[]): Promise<void> {
    await this.serial.run('experiment', async () => {
      const layout = await this.layout(true);
      const unique = [...new Set(keys)];
      const { repo } = this.ctx;
      const keep = unique.filter((k) => layout.tagIds.has(k)).map((k) => layout.tagIds.get(k)!);
      await repo.setTags(
        'project',
        this.ctx.projectId,
        keep,
        unique.filter((k) => !layout.tagIds.has(k)),
      );
      const pairs = experimentPairs({ author: layout.author, date: layout.date, keys: unique });
      if (layout.recordAnnId === undefined) await repo.createMap('project', [this.ctx.projectId], NS_EXPERIMENT, pairs);
      else await repo.updateMap('project', this.ctx.projectId, layout.recordAnnId, NS_EXPERIMENT, pairs);
      await this.layout(true);
    });
  }

  async ensureProcessedDataset(name: string): Promise<DatasetInfo> {
    checkName(name, 'processed dataset');
    if (name === 'data')
      throw new StorageError('INVALID', `'data' is the raw dataset of ${this.uri}; a processed dataset needs another name`, { details: { name } });
    return this.serial.run('experiment', async () => {
      let layout = await this.layout(true);
      const raw = layout.raw.find((d) => d.Name === name);
      if (raw !== undefined)
        throw new StorageError('EXISTS', `'${name}' is a raw Dataset (id ${raw['@id']}) of ${this.uri}; a processed dataset needs another name`, {
          details: { name, dataset: raw['@id'] },
        });
      if (!layout.processed.some((p) => p.name === name)) {
        const { repo } = this.ctx;
        const group = layout.project['omero:details']?.group?.['@id'] ?? repo.client.group;
        const datasetId = await repo.create('Dataset', name, group ?? -1);
        await repo.linkDataset(this.ctx.projectId, datasetId);
        await repo.createMap('dataset', [datasetId], NS_DATASET, [
          ['kind', 'processed'],
          ['written by', 'BioImageIT'],
        ]);
        layout = await this.layout(true);
      }
      return this.datasetsOf(layout, await listOutputs(this.ctx.repo, layout.processed)).find((d) => d.name === name)!;
    });
  }

  /**
   * The processed dataset `name` (its OMERO name or id form), re-reading the layout once when the
   * cached one does not know it; NOT_FOUND listing the datasets otherwise, INVALID when the name is shared.
   */
  private async processedDataset(name: string): Promise<ProcessedDataset> {
    try {
      return resolveProcessed(await this.layout(), name);
    } catch {
      return resolveProcessed(await this.layout(true), name);
    }
  }

  async saveRun(run: RunRecord): Promise<void> {
    const dataset = await this.processedDataset(run.dataset);
    await this.serial.run(`run:${run.id}`, async () => {
      const { repo } = this.ctx;
      const name = runFileName(run.id);
      const before = (await repo.annotations('dataset', [dataset.datasetId], 'file')).filter((a) => a.file?.name === name);
      await repo.attachFile([['dataset', dataset.datasetId]], name, Buffer.from(`${JSON.stringify(run, null, 2)}\n`), 'application/json');
      for (const old of before) await repo.deleteFileAnnotation(old.id);
      this.runs.set(run.id, run);
    });
  }

  async saveRunLog(dataset: string, runId: string, name: string, sourcePath: string): Promise<string> {
    const target = await this.processedDataset(dataset);
    await this.ctx.repo.attachFile([['dataset', target.datasetId]], logFileName(runId, name), await readFile(sourcePath), 'text/plain');
    return `logs/${runId}/${name}`;
  }

  async listRuns(dataset?: string): Promise<readonly RunRecord[]> {
    const layout = await this.layout(true);
    const datasets = dataset === undefined ? layout.processed : [await this.processedDataset(dataset)];
    return readRuns(this.ctx.repo, layout, datasets);
  }

  async commitProcessedItems(dataset: string, items: readonly NewProcessedItem[]): Promise<readonly DataItem[]> {
    const target = await this.processedDataset(dataset);
    for (const item of items) checkName(item.name, 'item');
    return this.serial.run(`dataset:${target.datasetId}`, () => commitOutputs(this.access, target, items));
  }

  async createStagingDir(label: string): Promise<string> {
    await mkdir(this.ctx.stagingRoot, { recursive: true });
    return mkdtemp(path.join(this.ctx.stagingRoot, `${label.replace(/[^\w.-]+/g, '_').slice(0, 40) || 'job'}-`));
  }

  saveThumbnail(itemId: string, png: Uint8Array): Promise<string> {
    return saveThumbnailOf(this.access, itemId, png);
  }

  localize(item: DataItem): Promise<string> {
    return localizeItem(this.ctx, item);
  }

  async close(): Promise<void> {
    this.cached = undefined;
  }
}
