import type { ApiRoute } from '../http/api-route.js';
import { parameterSchema } from '../tools/parameter-schema.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

/** Tools: the list, and one tool with its inputs, outputs and the JSON Schema of its parameters. */
export function toolRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/tools',
      operationId: 'listTools',
      summary: 'Tools of the configured tool folders',
      tag: 'tools',
      responses: { 200: { description: 'tools', schema: { type: 'array', items: ref('ToolSummary') } } },
      handle: async () => ({
        json: (await ctx.kernel.tools().listTools()).map((t) => ({ id: t.id, name: t.name, version: t.version, description: t.description })),
      }),
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
  ];
}
