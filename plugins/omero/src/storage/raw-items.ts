import { type DataItem, mapConcurrent } from '@bioimageit/core';
import { acquisitionDay, imageMetadata, itemRecord, rawItemId } from './item-records.js';
import { NS_CLIENT, NS_ITEM, type OmeroImage, type WebAnnotation } from './omero-model.js';
import type { OmeroRepository } from './omero-repository.js';
import { omeroUri } from './omero-uri.js';
import { tagsOf, type TagMap } from './tag-pairs.js';

/** Annotations of one image the backend reads: its tag maps and its item record. */
export interface ImageAnnotations {
  readonly tagMaps: TagMap[];
  /** Tag maps the current user may edit (others' maps are read-only). */
  readonly editable: Set<number>;
  record?: WebAnnotation;
}

/** Groups map annotations of many images by image id. */
export function byImage(annotations: readonly WebAnnotation[]): Map<number, ImageAnnotations> {
  const out = new Map<number, ImageAnnotations>();
  for (const a of annotations) {
    if (a.class !== 'MapAnnotationI' || a.link.parent.class !== 'ImageI') continue;
    const entry = out.get(a.link.parent.id) ?? { tagMaps: [], editable: new Set<number>() };
    out.set(a.link.parent.id, entry);
    if (a.ns === NS_CLIENT) {
      if (!entry.tagMaps.some((m) => m.annId === a.id)) entry.tagMaps.push({ annId: a.id, pairs: a.values ?? [] });
      if (a.permissions?.canEdit !== false) entry.editable.add(a.id);
    } else if (a.ns === NS_ITEM && entry.record === undefined) entry.record = a;
  }
  return out;
}

/** Format id from a file name when no item record says it (v1 format ids). */
export function formatFromName(name: string): string {
  const lower = name.toLowerCase();
  if (/\.(ome\.)?tiff?$/.test(lower)) return 'imagetiff';
  if (lower.endsWith('.png')) return 'imagepng';
  if (lower.endsWith('.jpg') || lower.endsWith('.jpeg')) return 'imagejpeg';
  if (lower.endsWith('.csv')) return 'tablecsv';
  return 'imagetiff';
}

function ownerName(image: OmeroImage): string {
  const owner = image['omero:details']?.owner;
  const full = [owner?.FirstName, owner?.LastName].filter((s) => s !== undefined && s !== '').join(' ');
  return full || owner?.UserName || '';
}

/**
 * A raw DataItem from an Image and its annotations: name from OMERO, tags from client-namespace
 * maps, format/author/date/size/sha256 from our item record when we imported it (else from
 * OMERO: owner, acquisition date), metadata from Pixels overlaid with the recorded metadata.
 */
export function rawItem(server: string, image: OmeroImage, anns: ImageAnnotations | undefined): DataItem {
  const record = itemRecord(anns?.record?.values);
  const name = image.Name ?? `image-${image['@id']}`;
  const uri = omeroUri(server, 'image', image['@id']);
  return {
    id: rawItemId(image['@id']),
    uri,
    dataset: 'data',
    name,
    format: record.format ?? formatFromName(name),
    dataUri: omeroUri(server, 'image', image['@id'], name),
    author: record.author ?? ownerName(image),
    date: record.date ?? acquisitionDay(image),
    ...(record.size !== undefined && { size: record.size }),
    ...(record.sha256 !== undefined && { sha256: record.sha256 }),
    tags: tagsOf(anns?.tagMaps ?? []),
    metadata: { ...imageMetadata(image), ...record.metadata },
    origin: { type: 'raw' },
    ...(record.thumbnail !== undefined && { thumbnail: record.thumbnail }),
  };
}

/**
 * Images of the given Datasets (each once, in import order = id order) with their map
 * annotations: one paged listing per Dataset plus one annotation request per batch of images.
 */
export async function listImages(repo: OmeroRepository, datasetIds: readonly number[]): Promise<{ images: OmeroImage[]; anns: Map<number, ImageAnnotations> }> {
  const lists = await mapConcurrent(datasetIds, 2, (id) => repo.images(id));
  const seen = new Map<number, OmeroImage>();
  for (const image of lists.flat()) if (!seen.has(image['@id'])) seen.set(image['@id'], image);
  const images = [...seen.values()].sort((a, b) => a['@id'] - b['@id']);
  const anns =
    images.length === 0
      ? new Map()
      : byImage(
          await repo.annotations(
            'image',
            images.map((i) => i['@id']),
            'map',
          ),
        );
  return { images, anns };
}

/** Some images by id (one GET each, bounded) with their map annotations. */
export async function getImages(repo: OmeroRepository, ids: readonly number[]): Promise<{ images: OmeroImage[]; anns: Map<number, ImageAnnotations> }> {
  const images = await mapConcurrent(ids, 4, (id) => repo.image(id));
  const anns = images.length === 0 ? new Map() : byImage(await repo.annotations('image', ids, 'map'));
  return { images, anns };
}
