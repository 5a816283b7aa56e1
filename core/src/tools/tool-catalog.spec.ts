import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PluginError, ToolError } from '../errors/area-errors.js';
import type { ToolSource } from '../extension-points/tool-source.js';
import { ToolSourceRegistry } from '../registry/registries.js';
import { DirectoryToolSource } from './directory-tool-source.js';
import { ToolCatalog } from './tool-catalog.js';
import type { ToolManifest } from './tool-manifest.js';

const TOOLS = fileURLToPath(new URL('../../../tests/fixtures/v1/tools/', import.meta.url));

/** A plugin tool source holding manifests that differ only by id. */
function pluginSource(id: string, toolIds: readonly string[], calls: string[] = []): ToolSource {
  const manifest = (toolId: string) =>
    ({ id: toolId, name: toolId, version: '1.0.0', description: `${toolId} of ${id}`, source: `plugin:${id}` }) as unknown as ToolManifest;
  return {
    id,
    listTools: async () => toolIds.map((t) => ({ id: t, name: t, version: '1.0.0', source: `plugin:${id}` })),
    getTool: async (toolId) => {
      calls.push(`${id}:${toolId}`);
      if (!toolIds.includes(toolId)) throw new ToolError('NOT_FOUND', `no tool '${toolId}' in ${id}`);
      return manifest(toolId);
    },
  };
}

describe('ToolCatalog', () => {
  it('lists folder tools first, then each plugin source, and resolves ids in both', async () => {
    const registry = new ToolSourceRegistry();
    registry.register(pluginSource('decon', ['decon.deskew', 'biitcopy']), 'decon-plugin');
    const catalog = new ToolCatalog(new DirectoryToolSource({ folders: [TOOLS] }), registry);
    expect((await catalog.listTools()).map((t) => t.id)).toEqual(['biitcopy', 'biitfail', 'biitthreshold', 'decon.deskew']);
    expect((await catalog.getTool('decon.deskew')).source).toBe('plugin:decon');
    expect((await catalog.getTool('biitcopy_v1.0.0')).source).toContain('biitcopy.xml');
    expect(await catalog.problems()).toEqual([]);
  });

  it('asks the source named by the tool id namespace first and activates plugins lazily', async () => {
    const calls: string[] = [];
    const registry = new ToolSourceRegistry();
    const activated: string[] = [];
    for (const id of ['alpha', 'gpu']) {
      registry.declare(id, `${id}-plugin`, async () => {
        activated.push(id);
        registry.register(pluginSource(id, [`${id}.tool`], calls), `${id}-plugin`);
      });
    }
    const catalog = new ToolCatalog(new DirectoryToolSource({ folders: [TOOLS] }), registry);
    expect((await catalog.getTool('gpu.tool')).id).toBe('gpu.tool');
    expect(calls).toEqual(['gpu:gpu.tool']);
    expect(activated).toEqual(['gpu']);
    await catalog.getTool('biitfail');
    expect(activated).toEqual(['gpu']);
  });

  it('reports an unavailable plugin source without hiding the other tools', async () => {
    const registry = new ToolSourceRegistry();
    registry.declare('broken', 'broken-plugin', async () => {
      throw new PluginError('MISSING_REQUIREMENT', "plugin 'broken-plugin' is unavailable: libfftw3f is missing");
    });
    registry.register(pluginSource('ok', ['ok.tool']), 'ok-plugin');
    const catalog = new ToolCatalog(new DirectoryToolSource({ folders: [TOOLS] }), registry);
    expect((await catalog.listTools()).map((t) => t.id)).toContain('ok.tool');
    const problems = await catalog.problems();
    expect(problems.map((p) => [p.file, p.error.code])).toEqual([['plugin:broken-plugin', 'SOURCE_UNAVAILABLE']]);
    expect(problems[0]?.error.message).toContain('libfftw3f is missing');
    await expect(catalog.getTool('broken.deskew')).rejects.toMatchObject({
      code: 'SOURCE_UNAVAILABLE',
      message: expect.stringContaining("tool source 'broken'"),
    });
  });

  it('names the folders and plugin sources searched when no one has the tool', async () => {
    const registry = new ToolSourceRegistry();
    registry.register(pluginSource('ok', ['ok.tool']), 'ok-plugin');
    const catalog = new ToolCatalog(new DirectoryToolSource({ folders: [TOOLS] }), registry);
    const error = await catalog.getTool('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).code).toBe('NOT_FOUND');
    expect((error as ToolError).message).toMatch(/no tool 'nope' in .*tools.*not contributed by plugin tool sources ok/);
    const alone = new ToolCatalog(new DirectoryToolSource({ folders: [TOOLS] }), new ToolSourceRegistry());
    await expect(alone.getTool('nope')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.not.stringContaining('plugin') });
  });
});
