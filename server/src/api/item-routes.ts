import { isDataMissing, missingDataIds, validateTagUpdates, type DataItem, type ExperimentStore, type TagUpdate } from '@bioimageit/core';
import type { ApiRoute } from '../http/api-route.js';
import { ref } from './api-schemas.js';
import { itemView } from './item-view.js';
import type { ServerContext } from './server-context.js';

const experimentParam = { experiment: 'experiment id (from GET /api/experiments)' };
const itemParams = { ...experimentParam, item: 'item id (uuid)' };
const error = (description: string) => ({ description, schema: ref('Error') });

interface TagEditBody {
  readonly set?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
}

/** Longest `where` query the item routes take (a longer request line is refused with 414 before routing). */
export const MAX_WHERE_LENGTH = 4000;

/** Items: pages selected by a query (the data table), one item, and tag edits (one item, or every item a query selects). */
export function itemRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items',
      operationId: 'listItems',
      summary: "A page of a dataset's items selected by a query",
      description:
        'A malformed query answers 400 with `details.column`, the 1-based column of the problem. Items of the page whose data file ' +
        'does not exist carry `missing: true`.',
      tag: 'items',
      pathParameters: experimentParam,
      query: [
        { name: 'dataset', schema: { type: 'string', minLength: 1, default: 'data' }, description: 'dataset name (default `data`, the raw dataset)' },
        {
          name: 'where',
          schema: { type: 'string', maxLength: MAX_WHERE_LENGTH, default: '' },
          description: 'query (`Population=population1 AND number>2`); empty: every item',
        },
        { name: 'offset', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'index of the first item of the page' },
        { name: 'limit', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, description: 'page size' },
        {
          name: 'sort',
          schema: { type: 'string', minLength: 1, maxLength: 200 },
          description: '`name`, `date`, `format` or a tag key (natural order); stored order when absent',
        },
        { name: 'order', schema: { enum: ['asc', 'desc'], default: 'asc' }, description: 'sort direction' },
      ],
      responses: {
        200: { description: 'one page', schema: ref('ItemPage') },
        400: error('malformed query or parameter'),
        404: error('no such experiment or dataset'),
      },
      handle: async ({ params, query }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        const dataset = query['dataset'] as string;
        const where = query['where'] as string;
        const offset = query['offset'] as number;
        const limit = query['limit'] as number;
        const sort = query['sort'] as string | undefined;
        const page = await ctx.pager.page(store, { dataset, where, offset, limit, ...(sort !== undefined && { sort, descending: query['order'] === 'desc' }) });
        const keys = await ctx.pager.columns(store, page.items);
        // One stat per item of the page (at most `limit`), never per item of the dataset.
        const missing = await missingDataIds(page.items);
        return {
          json: { dataset, where, total: page.total, offset, limit, keys, items: page.items.map((i) => itemView(i, ctx.imageFormats, missing.has(i.id))) },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items/{item}',
      operationId: 'getItem',
      summary: 'One item with its tags, format metadata and origin',
      tag: 'items',
      pathParameters: itemParams,
      responses: { 200: { description: 'the item', schema: ref('Item') }, 404: error('no such experiment or item') },
      handle: async ({ params }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        const item = await store.getItem(params['item'] as string);
        return { json: itemView(item, ctx.imageFormats, await isDataMissing(item)) };
      },
    },
    {
      method: 'PATCH',
      path: '/api/experiments/{experiment}/items/{item}/tags',
      operationId: 'editItemTags',
      summary: "Set and/or remove tags of one item (new keys join the experiment's keys)",
      tag: 'items',
      pathParameters: itemParams,
      body: ref('TagEdit'),
      responses: {
        200: { description: 'the item after the edit', schema: ref('Item') },
        400: error('malformed body'),
        404: error('no such experiment or item'),
      },
      handle: async ({ params, body }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        const item = await store.getItem(params['item'] as string);
        const edit = body as TagEditBody;
        await applyTagEdits(store, [{ itemId: item.id, ...edit }]);
        ctx.pager.forgetKeys(store);
        const edited = await store.getItem(item.id);
        return { json: itemView(edited, ctx.imageFormats, await isDataMissing(edited)) };
      },
    },
    {
      method: 'POST',
      path: '/api/experiments/{experiment}/tags',
      operationId: 'editTagsByQuery',
      summary: 'Set and/or remove tags on every item a query selects, atomically',
      tag: 'items',
      pathParameters: experimentParam,
      body: ref('BulkTagEdit'),
      responses: {
        200: { description: 'how many items were selected and changed', schema: ref('BulkTagResult') },
        400: error('malformed body or query'),
        404: error('no such experiment or dataset'),
      },
      handle: async ({ params, body }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        const edit = body as TagEditBody & { dataset?: string; where: string };
        const { items } = await ctx.pager.page(store, { dataset: edit.dataset ?? 'data', where: edit.where, offset: 0, limit: Number.MAX_SAFE_INTEGER });
        const changing = items.filter((i) => changes(i, edit));
        await applyTagEdits(
          store,
          changing.map((i) => ({ itemId: i.id, ...(edit.set && { set: edit.set }), ...(edit.remove && { remove: edit.remove }) })),
        );
        ctx.pager.forgetKeys(store);
        return { json: { selected: items.length, changed: changing.length } };
      },
    },
  ];
}

/**
 * Validates the edits whole, adds keys they introduce to the experiment's keys, then applies them
 * in one atomic step: a rejected edit (INVALID, a 400) changes nothing, not even the keys.
 */
async function applyTagEdits(store: ExperimentStore, updates: readonly TagUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  validateTagUpdates(updates);
  const keys = (await store.info()).keys;
  const added = [...new Set(updates.flatMap((u) => Object.keys(u.set ?? {})))].filter((k) => !keys.includes(k));
  if (added.length > 0) await store.setTagKeys([...keys, ...added]);
  await store.updateTags(updates);
}

function changes(item: DataItem, edit: TagEditBody): boolean {
  return Object.entries(edit.set ?? {}).some(([k, v]) => item.tags[k] !== v) || (edit.remove ?? []).some((k) => Object.hasOwn(item.tags, k));
}
