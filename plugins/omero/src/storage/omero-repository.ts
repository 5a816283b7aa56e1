import { mapConcurrent, StorageError } from '@bioimageit/core';
import type { OmeroClient } from '../client/omero-client.js';
import { OME_SCHEMA, type OmeroDataset, type OmeroImage, type OmeroProject, type ParentKind, type WebAnnotation } from './omero-model.js';

/** Annotations asked for per page of `/webclient/api/annotations/` (the server's default is 20,000). */
const ANNOTATION_PAGE = 10_000;

/** Pairs of a MapAnnotation, order and duplicate keys kept. */
export type Pairs = readonly (readonly [string, string])[];

/**
 * OMERO operations the storage backend is made of, each one or a few OMERO.web requests:
 * containers through `/api/v0/m/`, annotations through `/webclient/` (read with
 * `api/annotations/`, written with `annotate_map/`, `annotate_tags/`, `annotate_file/`).
 * Annotation reads batch object ids (`annotationBatch` per request, default 200: ids go in the
 * query string, and gunicorn, which usually serves OMERO.web, refuses request lines over 4094 bytes).
 */
export class OmeroRepository {
  constructor(
    readonly client: OmeroClient,
    private readonly annotationBatch = 200,
    private readonly concurrency = 4,
  ) {}

  projects(): Promise<OmeroProject[]> {
    return this.client.list<OmeroProject>('/api/v0/m/projects/', undefined, 'listing projects');
  }

  async project(id: number): Promise<OmeroProject> {
    return (await this.client.get<{ data: OmeroProject }>(`/api/v0/m/projects/${id}/`, undefined, `project ${id}`)).data;
  }

  datasets(projectId: number): Promise<OmeroDataset[]> {
    return this.client.list<OmeroDataset>(
      `/api/v0/m/projects/${projectId}/datasets/`,
      new URLSearchParams({ childCount: 'true' }),
      `datasets of project ${projectId}`,
    );
  }

  images(datasetId: number): Promise<OmeroImage[]> {
    return this.client.list<OmeroImage>(`/api/v0/m/datasets/${datasetId}/images/`, undefined, `images of dataset ${datasetId}`);
  }

  async image(id: number): Promise<OmeroImage> {
    return (await this.client.get<{ data: OmeroImage }>(`/api/v0/m/images/${id}/`, undefined, `image ${id}`)).data;
  }

  /** Creates a Project or Dataset in `group` (`POST /api/v0/m/save/?group=`), resolving with its id. */
  async create(type: 'Project' | 'Dataset', name: string, group: number, description?: string): Promise<number> {
    const body = { '@type': `${OME_SCHEMA}${type}`, Name: name, ...(description !== undefined && { Description: description }) };
    const saved = await this.client.sendJson<{ data: { '@id': number } }>(
      'POST',
      await this.client.savePath(),
      body,
      new URLSearchParams({ group: String(group) }),
      `creating ${type} '${name}'`,
    );
    return saved.data['@id'];
  }

  /** Links a Dataset into a Project (`POST /webclient/api/links/`; duplicates are ignored by the server). */
  async linkDataset(projectId: number, datasetId: number): Promise<void> {
    await this.client.sendJson(
      'POST',
      '/webclient/api/links/',
      { project: { [String(projectId)]: { dataset: [datasetId] } } },
      undefined,
      `linking dataset ${datasetId} to project ${projectId}`,
    );
  }

  /**
   * Annotations of the given objects, in batches of ids with bounded concurrency. `type` narrows
   * to map/tag/file, `ns` to one namespace.
   */
  async annotations(kind: ParentKind, ids: readonly number[], type?: 'map' | 'tag' | 'file', ns?: string): Promise<WebAnnotation[]> {
    const unique = [...new Set(ids)];
    const batches: number[][] = [];
    for (let i = 0; i < unique.length; i += this.annotationBatch) batches.push(unique.slice(i, i + this.annotationBatch));
    const pages = await mapConcurrent(batches, this.concurrency, async (batch) => {
      const out: WebAnnotation[] = [];
      // OMERO.web pages annotation lists (`page`, `limit`); ask again while a page comes back full.
      for (let page = 1; ; page++) {
        const q = new URLSearchParams();
        for (const id of batch) q.append(kind, String(id));
        if (type !== undefined) q.set('type', type);
        if (ns !== undefined) q.set('ns', ns);
        q.set('limit', String(ANNOTATION_PAGE));
        if (page > 1) q.set('page', String(page));
        const what = `annotations of ${kind} ${batch[0]}${batch.length > 1 ? ` (+${batch.length - 1})` : ''}`;
        const got = (await this.client.get<{ annotations: WebAnnotation[] }>('/webclient/api/annotations/', q, what)).annotations;
        out.push(...got);
        if (got.length < ANNOTATION_PAGE) return out;
      }
    });
    return pages.flat();
  }

  /** Creates one MapAnnotation in `ns` on each object, resolving with the new annotation ids. */
  async createMap(kind: ParentKind, ids: readonly number[], ns: string, pairs: Pairs): Promise<number[]> {
    if (pairs.length === 0) return [];
    const form = new URLSearchParams({ mapAnnotation: JSON.stringify(pairs), ns });
    for (const id of ids) form.append(kind, String(id));
    const reply = await this.client.postForm<{ annId: (number | string)[] | null }>('/webclient/annotate_map/', form, {
      what: `annotating ${kind} ${ids.join(', ')}`,
    });
    return (reply.annId ?? []).map(Number);
  }

  /** Replaces every pair of MapAnnotation `annId` (an empty list deletes it, as OMERO.web does). Idempotent. */
  async updateMap(kind: ParentKind, objectId: number, annId: number, ns: string, pairs: Pairs): Promise<void> {
    const form = new URLSearchParams({ mapAnnotation: JSON.stringify(pairs), ns, annId: String(annId) });
    form.append(kind, String(objectId));
    await this.client.postForm('/webclient/annotate_map/', form, { idempotent: true, what: `updating annotation ${annId} on ${kind} ${objectId}` });
  }

  /**
   * Makes `tagIds` plus new tags named `newTags` the complete set of the user's tag links on the
   * object (`annotate_tags` semantics: other users' links are kept).
   */
  async setTags(kind: ParentKind, objectId: number, tagIds: readonly number[], newTags: readonly string[]): Promise<void> {
    const form = new URLSearchParams({
      [kind]: String(objectId),
      tags: tagIds.join(','),
      'newtags-TOTAL_FORMS': String(newTags.length),
      'newtags-INITIAL_FORMS': '0',
    });
    newTags.forEach((tag, i) => {
      form.set(`newtags-${i}-tag`, tag);
      form.set(`newtags-${i}-description`, '');
      form.set(`newtags-${i}-tagset`, '');
    });
    await this.client.postForm('/webclient/annotate_tags/', form, { what: `tagging ${kind} ${objectId}` });
  }

  /** Uploads `bytes` as a FileAnnotation linked to every object given, resolving with its id. */
  async attachFile(targets: readonly [ParentKind, number][], fileName: string, bytes: Uint8Array, mimetype = 'application/octet-stream'): Promise<number> {
    const form = new FormData();
    for (const [kind, id] of targets) form.append(kind, String(id));
    form.append('annotation_file', new Blob([bytes], { type: mimetype }), fileName);
    const what = `attaching ${fileName} to ${targets.map(([k, id]) => `${k} ${id}`).join(', ')}`;
    const reply = await this.client.postMultipart<{ fileIds?: number[] } | string>('/webclient/annotate_file/', form, what);
    const id = typeof reply === 'object' ? reply.fileIds?.[0] : undefined;
    if (id === undefined)
      throw new StorageError('IO', `${what}: OMERO.web ${this.client.origin} did not create a file annotation`, {
        details: { server: this.client.origin, file: fileName },
      });
    return id;
  }

  /** Deletes a file annotation (`POST /webclient/action/delete/file/<id>/`). */
  async deleteFileAnnotation(annId: number): Promise<void> {
    await this.client.postForm(`/webclient/action/delete/file/${annId}/`, new URLSearchParams(), {
      idempotent: true,
      what: `deleting file annotation ${annId}`,
    });
  }

  /** Deletes objects with their contents and annotations (`/webclient/action/deletemany/`, asynchronous on a real server). */
  async deleteMany(kind: ParentKind, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    const form = new URLSearchParams({ child: 'true', anns: 'true' });
    for (const id of ids) form.append(kind, String(id));
    await this.client.postForm('/webclient/action/deletemany/', form, { idempotent: true, what: `deleting ${kind} ${ids.join(', ')}` });
  }

  /** Downloads a file annotation's content into `file`. */
  downloadAnnotation(annId: number, file: string): Promise<number> {
    return this.client.download(`/webclient/annotation/${annId}/`, file, `downloading file annotation ${annId}`);
  }

  /** Reads a (small) file annotation as text. */
  async readAnnotation(annId: number): Promise<string> {
    const reply = await this.client.request({ method: 'GET', path: `/webclient/annotation/${annId}/` }, `reading file annotation ${annId}`);
    return reply.body.toString('utf8');
  }
}
