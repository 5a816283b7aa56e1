import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { mapConcurrent, StorageError, type Tags } from '@bioimageit/core';
import { pairsToRecord } from '../storage/item-records.js';
import { NS_CLIENT, NS_DATASET, type OmeroImage } from '../storage/omero-model.js';
import type { OmeroRepository } from '../storage/omero-repository.js';
import { omeroUri } from '../storage/omero-uri.js';
import { byImage } from '../storage/raw-items.js';
import { editTags, tagsOf, type TagMap } from '../storage/tag-pairs.js';

/** One row of `bioimageit omero ls`. */
export interface ListedObject {
  readonly id: number;
  readonly name: string;
  readonly uri: string;
  /** Datasets of a project, images of a dataset. */
  readonly children?: number;
  /** `raw` / `processed` for Datasets BioImageIT marked. */
  readonly kind?: string;
  readonly tags?: Tags;
}

/** Projects of the server, with their dataset counts. */
export async function listProjects(repo: OmeroRepository, server: string): Promise<ListedObject[]> {
  const projects = await repo.client.list<{ '@id': number; Name?: string; 'omero:childCount'?: number }>(
    '/api/v0/m/projects/',
    new URLSearchParams({ childCount: 'true' }),
    'listing projects',
  );
  return projects.map((p) => ({ id: p['@id'], name: p.Name ?? '', uri: omeroUri(server, 'project', p['@id']), children: p['omero:childCount'] ?? 0 }));
}

/** Datasets of a project, with image counts and BioImageIT roles. */
export async function listDatasets(repo: OmeroRepository, server: string, projectId: number): Promise<ListedObject[]> {
  const datasets = await repo.datasets(projectId);
  const roles =
    datasets.length === 0
      ? []
      : await repo.annotations(
          'dataset',
          datasets.map((d) => d['@id']),
          'map',
          NS_DATASET,
        );
  return datasets.map((d) => {
    const kind = pairsToRecord(roles.find((r) => r.link.parent.id === d['@id'])?.values)['kind'];
    return {
      id: d['@id'],
      name: d.Name ?? '',
      uri: omeroUri(server, 'dataset', d['@id']),
      children: d['omero:childCount'] ?? 0,
      ...(kind !== undefined && { kind }),
    };
  });
}

/** Images of a dataset (or one image) with their tags: one listing plus one annotation request per batch. */
export async function listImages(repo: OmeroRepository, server: string, ref: { kind: 'dataset' | 'image'; id: number }): Promise<ListedObject[]> {
  const images: OmeroImage[] = ref.kind === 'dataset' ? await repo.images(ref.id) : [await repo.image(ref.id)];
  const anns =
    images.length === 0
      ? new Map()
      : byImage(
          await repo.annotations(
            'image',
            images.map((i) => i['@id']),
            'map',
            NS_CLIENT,
          ),
        );
  return images.map((i) => ({ id: i['@id'], name: i.Name ?? '', uri: omeroUri(server, 'image', i['@id']), tags: tagsOf(anns.get(i['@id'])?.tagMaps ?? []) }));
}

/**
 * Sets and removes key/value tags (client-namespace MapAnnotations) on images, editing existing
 * maps in place and leaving other namespaces alone. Resolves with the number of images changed.
 */
export async function tagImages(repo: OmeroRepository, imageIds: readonly number[], set: Tags, remove: readonly string[]): Promise<number> {
  if (imageIds.length === 0) return 0;
  const anns = byImage(await repo.annotations('image', imageIds, 'map', NS_CLIENT));
  const changed = await mapConcurrent(imageIds, 4, async (imageId) => {
    const entry = anns.get(imageId);
    const maps: TagMap[] = entry?.tagMaps ?? [];
    const write = editTags(maps, entry?.editable ?? new Set(), set, remove);
    for (const u of write.updates) await repo.updateMap('image', imageId, u.annId, NS_CLIENT, u.pairs);
    if (write.create) await repo.createMap('image', [imageId], NS_CLIENT, write.create);
    return write.updates.length > 0 || write.create !== undefined;
  });
  return changed.filter(Boolean).length;
}

/**
 * Downloads images into `dir`: the original file when the image came from one file, else the
 * OME-TIFF export. Resolves with the paths written.
 */
export async function pullImages(repo: OmeroRepository, images: readonly ListedObject[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  return mapConcurrent(images, 2, async (image) => {
    const paths = await repo.client.get<{ repo?: string[] }>(`/webgateway/original_file_paths/${image.id}/`, undefined, `original files of image ${image.id}`);
    const single = paths.repo?.length === 1 ? path.basename(paths.repo[0]!) : undefined;
    const name = (single ?? `${image.name.replace(/\.[^.]*$/, '')}.ome.tif`).replace(/[\\/]/g, '_').replaceAll('\0', '_');
    const file = path.join(dir, `${image.id}-${name}`);
    const source = single !== undefined ? `/webgateway/archived_files/download/${image.id}/` : `/webgateway/render_ome_tiff/i/${image.id}/`;
    await repo.client.download(source, file, `downloading image ${image.id} (${image.name})`);
    return file;
  });
}

/** Parses `key=value` arguments; INVALID naming the bad one. */
export function parseAssignments(args: readonly string[]): Tags {
  const tags: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new StorageError('INVALID', `'${arg}' is not key=value`, { details: { argument: arg } });
    tags[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return tags;
}
