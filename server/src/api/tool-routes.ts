import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import type { ToolManifest } from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import type { ApiRoute } from '../http/api-route.js';
import { parameterSchema } from '../tools/parameter-schema.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

/** Image types a tool's cover may have (no SVG: it could carry scripts). */
const COVER_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

/**
 * The cover image of a tool: the fact `cover` of its manifest, a path relative to the manifest's
 * folder (model tools name their package's first cover so), inside that folder and of an image type.
 */
function coverPath(tool: ToolManifest): string | undefined {
  const cover = tool.facts?.['cover'];
  if (cover === undefined || isAbsolute(cover) || COVER_TYPES[extname(cover).toLowerCase()] === undefined) return undefined;
  const folder = dirname(tool.source);
  const file = resolve(folder, cover);
  const inside = relative(folder, file);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? undefined : file;
}

/** Tools: the list, one tool with its inputs, outputs and the JSON Schema of its parameters, and its cover image. */
export function toolRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/tools',
      operationId: 'listTools',
      summary: 'Tools of the configured tool folders',
      tag: 'tools',
      responses: { 200: { description: 'tools', schema: { type: 'array', items: ref('ToolSummary') } } },
      handle: async () => {
        const catalog = ctx.kernel.tools();
        const tools = await catalog.listTools();
        // a cover only where the manifest names one (model tools); a tool that fails to load just has none
        const covers = await Promise.all(tools.map((t) => catalog.getTool(t.id).then(coverPath, () => undefined)));
        return {
          json: tools.map((t, i) => ({
            id: t.id,
            name: t.name,
            version: t.version,
            description: t.description,
            ...(covers[i] !== undefined && { cover: `/api/tools/${encodeURIComponent(t.id)}/cover` }),
          })),
        };
      },
    },
    {
      method: 'GET',
      path: '/api/tools/{tool}',
      operationId: 'getTool',
      summary: 'One tool: data inputs, outputs and the JSON Schema of its parameters',
      tag: 'tools',
      pathParameters: { tool: 'tool id (or v1 key `biitthreshold_v1.0.0`)' },
      responses: { 200: { description: 'the tool', schema: ref('Tool') }, 404: { description: 'no such tool', schema: ref('Error') } },
      handle: async ({ params }) => {
        const tool = await ctx.kernel.tools().getTool(params['tool'] as string);
        return {
          json: {
            id: tool.id,
            name: tool.name,
            version: tool.version,
            description: tool.description,
            ...(tool.help !== undefined && { help: tool.help }),
            ...(tool.authors !== undefined && { authors: tool.authors }),
            ...(tool.license !== undefined && { license: tool.license }),
            ...(tool.cite !== undefined && { cite: tool.cite }),
            ...(coverPath(tool) !== undefined && { cover: `/api/tools/${encodeURIComponent(tool.id)}/cover` }),
            categories: tool.categories,
            type: tool.type,
            dataInputs: tool.inputs
              .filter((i) => i.type === 'data')
              .map((i) => ({ name: i.name, label: i.label ?? i.name, ...(i.format !== undefined && { format: i.format }) })),
            outputs: tool.outputs.map((o) => ({ name: o.name, format: o.format, label: o.label ?? o.name })),
            parameters: parameterSchema(tool),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/tools/{tool}/cover',
      operationId: 'getToolCover',
      summary: "A tool's cover image (a model tool's first cover)",
      tag: 'tools',
      pathParameters: { tool: 'tool id' },
      responses: {
        200: { description: 'the image (PNG, JPEG, GIF or WebP)', contentType: 'image/*' },
        404: { description: 'no such tool, or it has no cover', schema: ref('Error') },
      },
      handle: async ({ params }) => {
        const tool = await ctx.kernel.tools().getTool(params['tool'] as string);
        const file = coverPath(tool);
        const bytes = file === undefined ? undefined : await readFile(file).catch(() => undefined);
        if (file === undefined || bytes === undefined) throw new ApiError('NOT_FOUND', `tool '${tool.id}' has no cover image`, { details: { tool: tool.id } });
        return { bytes, contentType: COVER_TYPES[extname(file).toLowerCase()] as string, headers: { 'Cache-Control': 'private, max-age=300' } };
      },
    },
  ];
}
