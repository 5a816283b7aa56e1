import type { ApiRoute } from '../http/api-route.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

const itemParams = { experiment: 'experiment id', item: 'item id' };
const error = (description: string) => ({ description, schema: ref('Error') });
const png = { description: 'PNG image', contentType: 'image/png' };

/** Image items: axis facts, previews of a z-plane or maximum projection, and thumbnails, rendered server-side. */
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
      summary: "Axes, shape and pixel type of an image item (for the preview's sliders)",
      tag: 'images',
      pathParameters: itemParams,
      responses: {
        200: { description: 'image facts', schema: ref('ImageInfo') },
        400: error('the item is not an image'),
        404: error('no such experiment or item'),
      },
      handle: async ({ params }) => {
        const { store, item } = await open(params);
        return { json: await ctx.previews.info(store, item) };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items/{item}/preview.png',
      operationId: 'getImagePreview',
      summary: 'PNG of one z-plane or of the maximum projection over Z, contrast-stretched (0.1-99.9 percentiles)',
      tag: 'images',
      pathParameters: itemParams,
      query: [
        { name: 'z', schema: { type: 'integer', minimum: 0 }, description: 'z-plane index (ignored with projection=max)' },
        { name: 'projection', schema: { enum: ['none', 'max'], default: 'none' }, description: '`max`: maximum-intensity projection over Z' },
        { name: 'c', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'channel' },
        { name: 't', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'time point' },
        { name: 'size', schema: { type: 'integer', minimum: 16, maximum: 2048, default: 512 }, description: 'longest side in pixels' },
      ],
      responses: {
        200: png,
        400: error('not an image, or an index outside it'),
        404: error('no such experiment or item'),
        422: error("the item's file is corrupt, or its plane is larger than previews read (a decompression bomb)"),
        503: error('the renderer cannot load here, or the preview took too long'),
      },
      handle: async ({ params, query }) => {
        const { store, item } = await open(params);
        const z = query['projection'] === 'max' ? 'max' : ((query['z'] as number | undefined) ?? 0);
        const bytes = await ctx.previews.preview(store, item, { z, c: query['c'] as number, t: query['t'] as number }, query['size'] as number);
        return { bytes, contentType: 'image/png' };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items/{item}/thumbnail.png',
      operationId: 'getThumbnail',
      summary: "The item's thumbnail: the stored one, or a maximum projection rendered on demand",
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
