import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { StorageError, type DataItem } from '@bioimageit/core';
import { parseItemId } from './item-records.js';
import type { OmeroStoreContext } from './store-access.js';

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A local copy of an item's data, downloaded once into the cache (keyed by server, object id and
 * content: the recorded sha256, or `omero` for images imported elsewhere, whose pixels OMERO
 * never changes). Raw items: the originally imported file
 * (`/webgateway/archived_files/download/<id>/`), else the OME-TIFF export
 * (`/webgateway/render_ome_tiff/i/<id>/`, small images only). Processed items: their file
 * annotation. A download whose sha256 differs from the record is CORRUPT.
 */
export async function localizeItem(ctx: OmeroStoreContext, item: DataItem): Promise<string> {
  const ref = parseItemId(item.id);
  if (ref === undefined) throw new StorageError('NOT_FOUND', `item '${item.id}' is not an OMERO item`, { details: { item: item.id } });
  const { repo } = ctx;
  const version = item.sha256 ?? 'omero';
  let file: string;
  if (ref.kind === 'file') {
    file = await ctx.cache.get(`${ctx.server}/file-${ref.id}-${version}`, item.name, (temp) => repo.downloadAnnotation(ref.id, temp));
  } else {
    const key = `${ctx.server}/image-${ref.id}-${version}`;
    const cached = await ctx.cache.find(key);
    if (cached !== undefined) return checked(ctx, cached, item);
    const original = item.sha256 !== undefined || (await singleTiffOriginal(ctx, ref.id));
    const what = original
      ? `downloading the original file of image ${ref.id} (${item.name})`
      : `downloading image ${ref.id} (${item.name}) as OME-TIFF (OMERO.web exports only images that need no pyramid)`;
    const source = original ? `/webgateway/archived_files/download/${ref.id}/` : `/webgateway/render_ome_tiff/i/${ref.id}/`;
    const name = original ? item.name : `${item.name.replace(/\.ome\.tiff?$|\.[^.]*$/i, '')}.ome.tif`;
    file = await ctx.cache.get(key, name, (temp) => repo.client.download(source, temp, what));
  }
  return checked(ctx, file, item);
}

/** `file` once its sha256 matches the item's record (when there is one; once per file and process); CORRUPT otherwise. */
async function checked(ctx: OmeroStoreContext, file: string, item: DataItem): Promise<string> {
  if (item.sha256 === undefined || ctx.cache.verified.has(file)) return file;
  if ((await sha256File(file)) !== item.sha256) {
    throw new StorageError('CORRUPT', `downloaded data of item '${item.name}' (${item.uri}) does not match its recorded sha256`, {
      details: { item: item.id, file },
    });
  }
  ctx.cache.verified.add(file);
  return file;
}

/**
 * True when the image was imported from one TIFF file (`/webgateway/original_file_paths/`), which
 * tools read as is; other originals (vendor formats, multi-file sets) go through the OME-TIFF export.
 */
async function singleTiffOriginal(ctx: OmeroStoreContext, imageId: number): Promise<boolean> {
  const paths = await ctx.repo.client.get<{ repo?: string[] }>(`/webgateway/original_file_paths/${imageId}/`, undefined, `original files of image ${imageId}`);
  return paths.repo?.length === 1 && /\.tiff?$/i.test(paths.repo[0]!);
}
