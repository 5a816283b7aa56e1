import type { ApiRoute } from '../http/api-route.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';
import { MAX_TRACK_SPOTS, tracksOfImage } from './track-table.js';

/** Tracks drawn over images: the tracks table a processed image was made from. */
export function trackRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items/{item}/tracks',
      operationId: 'getImageTracks',
      summary:
        'The tracks among the inputs of the job that made an image item (a tablecsv input whose header has track_id and frame), ' +
        `grouped by track and ordered by frame, for drawing over the image (at most ${MAX_TRACK_SPOTS} spots)`,
      description:
        'Positions are in the physical unit of the image (pixel = value / physical pixel size, origin at the centre of voxel 0,0,0). ' +
        '`source` is null when the item is raw or its job read no tracks table.',
      tag: 'images',
      pathParameters: { experiment: 'experiment id', item: 'item id (the image)' },
      responses: {
        200: { description: 'the tracks', schema: ref('Tracks') },
        404: { description: 'no such experiment or item', schema: ref('Error') },
      },
      handle: async ({ params }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        return { json: await tracksOfImage(store, await store.getItem(params['item'] as string)) };
      },
    },
  ];
}
