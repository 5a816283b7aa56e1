import type { Tags } from '@bioimageit/core';
import { NS_CLIENT, type WebAnnotation } from './omero-model.js';
import type { OmeroRepository } from './omero-repository.js';

/** Keys in first-seen order, each once. */
export function mergeKeys(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

/** Keys of the tags of items, in item order then key order. */
export function keysOfTags(tags: readonly Tags[]): string[] {
  return mergeKeys(...tags.map((t) => Object.keys(t)));
}

/**
 * Keys of the client-namespace maps (the tags) among image annotations, ordered by image id then
 * annotation and pair order, each once.
 */
export function keysOfMaps(annotations: readonly WebAnnotation[]): string[] {
  const maps = annotations
    .filter((a) => a.class === 'MapAnnotationI' && a.ns === NS_CLIENT && a.link.parent.class === 'ImageI')
    .sort((a, b) => a.link.parent.id - b.link.parent.id);
  return mergeKeys(...maps.map((m) => (m.values ?? []).map(([k]) => k).filter((k) => k !== '')));
}

/** Tag keys in use on the given images: one annotation request per batch of 200 images (client namespace only). */
export async function imageTagKeys(repo: OmeroRepository, imageIds: readonly number[]): Promise<string[]> {
  if (imageIds.length === 0) return [];
  return keysOfMaps(await repo.annotations('image', imageIds, 'map', NS_CLIENT));
}
