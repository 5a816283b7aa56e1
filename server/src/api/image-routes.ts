import type { ApiRoute } from '../http/api-route.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';
import { ApiError } from '../api-error.js';
import { parseChannelList, type PlaneSelection } from '../render/image-plane.js';
import { readFile, stat } from 'node:fs/promises';
import { FormatError, type DataItem, type ExperimentStore } from '@bioimageit/core';
import { pngAnimation, type PngAnimation } from '../render/apng.js';

/** Largest animated PNG served as it is stored. */
const MAX_ANIMATION_BYTES = 64 * 2 ** 20;

const itemParams = { experiment: 'experiment id', item: 'item id' };
const error = (description: string) => ({ description, schema: ref('Error') });
const png = { description: 'PNG image', contentType: 'image/png' };

/**
 * Image items: axis facts, previews of a z-plane or maximum projection, and thumbnails, rendered
 * server-side; animated PNGs (APNG) also as stored, for the browser to play.
 */
export function imageRoutes(ctx: ServerContext): ApiRoute[] {
  const open = async (params: Readonly<Record<string, string>>) => {
    const store = await ctx.catalog.open(params['experiment'] as string);
    return { store, item: await store.getItem(params['item'] as string) };
  };
  return [
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items/{item}/image',
      operationId: 'getImageInfo',
      summary:
        'Axes, shape, pixel type, physical sizes, time increment and channels of an image item, each channel with its colour and its display window ' +
        '(0.1-99.9 percentiles of its whole stack at the first time point; the viewer keeps it across z and t)',
      tag: 'images',
      pathParameters: itemParams,
      responses: {
        200: { description: 'image facts', schema: ref('ImageInfo') },
        400: error('the item is not an image'),
        404: error('no such experiment or item'),
      },
      handle: async ({ params }) => {
        const { store, item } = await open(params);
        const [info, animation] = await Promise.all([ctx.previews.info(store, item), animationOf(store, item)]);
        return { json: { ...info, ...(animation !== undefined && { animation }) } };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items/{item}/animation.png',
      operationId: 'getAnimation',
      summary: "An animated PNG (APNG) item's file as stored, which browsers play by themselves (previews draw one frame)",
      tag: 'images',
      pathParameters: itemParams,
      responses: {
        200: { description: 'the APNG file', contentType: 'image/png' },
        400: error('the item is not an animated PNG'),
        404: error('no such experiment or item'),
        422: error(`the file is larger than ${MAX_ANIMATION_BYTES / 2 ** 20} MiB`),
      },
      handle: async ({ params }) => {
        const { store, item } = await open(params);
        if ((await animationOf(store, item)) === undefined)
          throw new ApiError('BAD_REQUEST', `item '${item.name}' is not an animated PNG (format ${item.format})`, {
            details: { item: item.id, format: item.format },
          });
        const path = await store.localize(item);
        const { size } = await stat(path);
        if (size > MAX_ANIMATION_BYTES)
          throw new FormatError('TOO_LARGE', `animation '${item.name}' has ${size} bytes, more than the ${MAX_ANIMATION_BYTES} served`, {
            details: { item: item.id, size },
          });
        return { bytes: await readFile(path), contentType: 'image/png', headers: { 'Cache-Control': 'private, max-age=60' } };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items/{item}/preview.png',
      operationId: 'getImagePreview',
      summary:
        'PNG of one z-plane or of the maximum projection over Z: the composite of the channels in their colours, each through the display window ' +
        'of its whole stack (or the window and colour given in `channels`), of a region at the size asked',
      tag: 'images',
      pathParameters: itemParams,
      query: [
        { name: 'z', schema: { type: 'integer', minimum: 0 }, description: 'z-plane index (ignored with projection=max)' },
        { name: 'projection', schema: { enum: ['none', 'max'], default: 'none' }, description: '`max`: maximum-intensity projection over Z' },
        { name: 't', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'time point' },
        {
          name: 'channels',
          schema: { type: 'string', maxLength: 1000 },
          description:
            "channels shown, as OMERO.web's render_image takes them: comma-separated `[-]N[|start:end][$RRGGBB]`, N counting from 1, `-` for off " +
            '(e.g. `1|100:2000$0000FF,-2,3`); channels not listed are off; a window or colour not given is the default. Default: every channel on',
        },
        { name: 'c', schema: { type: 'integer', minimum: 0 }, description: 'one channel alone, in grey (index from 0; ignored with `channels`)' },
        {
          name: 'region',
          schema: { type: 'string', pattern: '^\\d+,\\d+,\\d+,\\d+$' },
          description: 'the part drawn, `x,y,width,height` in full-resolution pixels (zoom and pan); default all',
        },
        {
          name: 'size',
          schema: { type: 'integer', minimum: 1, maximum: 2048, default: 512 },
          description: 'longer side of the PNG in pixels: the region is reduced (area mean) or enlarged (nearest pixel) to it',
        },
      ],
      responses: {
        200: png,
        400: error('not an image, an index or region outside it, or a malformed channel list'),
        404: error('no such experiment or item'),
        422: error("the item's file is corrupt, or its plane is larger than previews read (a decompression bomb)"),
        503: error('the preview took too long'),
      },
      handle: async ({ params, query }) => {
        const { store, item } = await open(params);
        const selection: PlaneSelection = {
          z: query['projection'] === 'max' ? 'max' : ((query['z'] as number | undefined) ?? 0),
          ...(query['t'] !== undefined && { t: query['t'] as number }),
          ...channelChoice(query),
          ...(query['region'] !== undefined && { region: parseRegion(query['region'] as string) }),
        };
        const bytes = await ctx.previews.preview(store, item, selection, query['size'] as number);
        return { bytes, contentType: 'image/png' };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items/{item}/thumbnail.png',
      operationId: 'getThumbnail',
      summary: "The item's thumbnail: the stored one, or the composite maximum projection drawn on demand (as the thumbnails plugin draws it)",
      tag: 'images',
      pathParameters: itemParams,
      query: [{ name: 'size', schema: { type: 'integer', minimum: 16, maximum: 512, default: 128 }, description: 'longest side of a rendered thumbnail' }],
      responses: {
        200: png,
        400: error('the item is not an image'),
        403: error('the stored thumbnail lies outside the experiment'),
        404: error('no such experiment or item'),
        422: error("the item's file is corrupt, or its plane is larger than previews read (a decompression bomb)"),
      },
      handle: async ({ params, query }) => {
        const { store, item } = await open(params);
        return {
          bytes: await ctx.previews.thumbnail(store, item, query['size'] as number),
          contentType: 'image/png',
          headers: { 'Cache-Control': 'private, max-age=60' },
        };
      },
    },
  ];
}

/** The animation of an APNG item with more than one frame, else undefined. */
async function animationOf(store: ExperimentStore, item: DataItem): Promise<PngAnimation | undefined> {
  if (item.format !== 'imagepng') return undefined;
  const animation = await pngAnimation(await store.localize(item)).catch(() => undefined);
  return animation !== undefined && animation.frames > 1 ? animation : undefined;
}

/** The `channels` or `c` query parameter as a channel choice (BAD_REQUEST naming a malformed entry). */
function channelChoice(query: Readonly<Record<string, unknown>>): Pick<PlaneSelection, 'channels'> {
  if (typeof query['channels'] === 'string') {
    try {
      return { channels: { list: parseChannelList(query['channels']) } };
    } catch (error) {
      throw new ApiError('BAD_REQUEST', `query parameter 'channels': ${(error as Error).message}`, { details: { parameter: 'channels' } });
    }
  }
  return query['c'] === undefined ? {} : { channels: { only: query['c'] as number } };
}

/** `x,y,width,height` (the route's pattern already checked the digits). */
function parseRegion(text: string): NonNullable<PlaneSelection['region']> {
  const [x, y, width, height] = text.split(',').map(Number) as [number, number, number, number];
  if (width < 1 || height < 1)
    throw new ApiError('BAD_REQUEST', `query parameter 'region': ${text} is empty (width and height at least 1)`, { details: { parameter: 'region' } });
  return { x, y, width, height };
}
