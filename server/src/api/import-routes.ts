import { compileTagRule, type TagRule } from '@bioimageit/core';
import type { ApiRoute } from '../http/api-route.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

const experimentParam = { experiment: 'experiment id (from GET /api/experiments)' };
const importParams = { ...experimentParam, import: 'import id (from the POST)' };
const error = (description: string) => ({ description, schema: ref('Error') });

/** The body of `POST …/imports` (see the ImportStart schema). */
interface ImportStartBody {
  readonly root: string;
  readonly path?: string;
  readonly recursive?: boolean;
  readonly glob?: string;
  readonly regex?: string;
  readonly hidden?: boolean;
  readonly mode?: 'copy' | 'reference';
  readonly format?: string;
  readonly author?: string;
  readonly skipExisting?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  readonly tagRegex?: readonly string[];
  readonly tagPathRegex?: readonly string[];
  readonly folderKey?: string;
  readonly folderKeys?: readonly string[];
}

/**
 * Imports from server-side folders: the import roots, starting an import of a file or folder inside
 * one into an experiment's raw dataset, its state, the list, and cancelling one.
 */
export function importRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/import-roots',
      operationId: 'listImportRoots',
      summary: 'The server-side folders imports may read, by name (never their paths)',
      description: 'Configured with `bioimageit serve --import-root NAME=PATH` or the workspace setting `import.roots`.',
      tag: 'imports',
      responses: { 200: { description: 'the import roots', schema: { type: 'array', items: ref('ImportRoot') } } },
      handle: async () => ({ json: ctx.importRoots.names().map((name) => ({ name })) }),
    },
    {
      method: 'POST',
      path: '/api/experiments/{experiment}/imports',
      operationId: 'startImport',
      summary: "Import a file or folder of an import root into the experiment's raw dataset; answers once the import has started",
      description:
        'The options are those of `bioimageit import` (recursive, glob, regex, hidden, reference or copy, format, author, tags from names, paths and folders). ' +
        'Everything is checked before anything is imported: the root and path (a `..` segment or a symbolic link leading out of the root answers 403 naming it), ' +
        'the file filter, the tag rules and the format. Follow the import with `import` events on GET /api/events or with GET …/imports/{import}.',
      tag: 'imports',
      pathParameters: experimentParam,
      body: ref('ImportStart'),
      responses: {
        202: { description: 'the import started', schema: ref('ImportState') },
        400: error('malformed body, unknown import root, absolute path, bad filter, tag rule or format'),
        403: error('the path leaves its import root (`..`, or a symbolic link: named in the message)'),
        404: error('no such experiment, or nothing at that path of the root'),
      },
      handle: async ({ params, body }) => {
        const id = params['experiment'] as string;
        const store = await ctx.catalog.open(id);
        const request = body as ImportStartBody;
        const source = await ctx.importRoots.locate(request.root, request.path ?? '');
        const selection = {
          ...(request.recursive !== undefined && { recursive: request.recursive }),
          ...(request.glob !== undefined && { glob: request.glob }),
          ...(request.regex !== undefined && { regex: request.regex }),
          ...(request.hidden !== undefined && { hidden: request.hidden }),
        };
        const tagRules = tagRulesOf(request);
        for (const rule of tagRules) compileTagRule(rule);
        if (request.format !== undefined) await ctx.kernel.formats.get(request.format);
        await ctx.importRoots.checkFiles(source, selection);
        const live = ctx.imports.start(id, store, source, {
          ...selection,
          tagRules,
          ...(request.mode !== undefined && { mode: request.mode }),
          ...(request.format !== undefined && { format: request.format }),
          ...(request.author !== undefined && { author: request.author }),
          ...(request.skipExisting !== undefined && { skipExisting: request.skipExisting }),
        });
        return { status: 202, json: live };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/imports',
      operationId: 'listImports',
      summary: 'Imports of the experiment this server started (kept while it runs), oldest first',
      tag: 'imports',
      pathParameters: experimentParam,
      responses: { 200: { description: 'imports', schema: { type: 'array', items: ref('ImportState') } }, 404: error('no such experiment') },
      handle: async ({ params }) => {
        const id = params['experiment'] as string;
        await ctx.catalog.open(id);
        return { json: ctx.imports.list(id) };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/imports/{import}',
      operationId: 'getImport',
      summary: 'One import: its progress, or how it ended (items imported, files that failed or were skipped)',
      tag: 'imports',
      pathParameters: importParams,
      responses: { 200: { description: 'the import', schema: ref('ImportState') }, 404: error('no such experiment or import') },
      handle: async ({ params }) => {
        const id = params['experiment'] as string;
        await ctx.catalog.open(id);
        return { json: ctx.imports.get(id, params['import'] as string) };
      },
    },
    {
      method: 'POST',
      path: '/api/experiments/{experiment}/imports/{import}/cancel',
      operationId: 'cancelImport',
      summary: 'Stop a running import; the items it already committed stay',
      tag: 'imports',
      pathParameters: importParams,
      responses: {
        202: { description: 'stopping', schema: ref('ImportState') },
        404: error('no such experiment or import'),
        409: error('the import is not running'),
      },
      handle: async ({ params }) => {
        const id = params['experiment'] as string;
        await ctx.catalog.open(id);
        return { status: 202, json: ctx.imports.cancel(id, params['import'] as string) };
      },
    },
  ];
}

/** The tag rules of an import request, in the order `bioimageit import` applies them. */
function tagRulesOf(request: ImportStartBody): TagRule[] {
  return [
    ...(request.tagRegex ?? []).map((pattern): TagRule => ({ kind: 'regex', pattern, source: 'name' })),
    ...(request.tagPathRegex ?? []).map((pattern): TagRule => ({ kind: 'regex', pattern, source: 'path' })),
    ...(request.folderKey !== undefined || request.folderKeys !== undefined
      ? [
          {
            kind: 'folder',
            ...(request.folderKey !== undefined && { key: request.folderKey }),
            ...(request.folderKeys !== undefined && { keys: request.folderKeys }),
          } as TagRule,
        ]
      : []),
    ...(request.tags !== undefined && Object.keys(request.tags).length > 0 ? [{ kind: 'set', tags: request.tags } as TagRule] : []),
  ];
}
