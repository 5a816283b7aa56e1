import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPluginPackage, schemaProblems } from './check-plugin-package.js';
import { PLUGIN_MANIFEST_SCHEMA } from './plugin-manifest-schema.js';

const plugins = new URL('../../../plugins/', import.meta.url);

describe('published plugin manifest schema', () => {
  it('core/schemas/plugin-manifest.schema.json is the schema the checker follows (regenerate with writePluginManifestSchema)', async () => {
    const published = JSON.parse(await readFile(new URL('../../schemas/plugin-manifest.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(published).toEqual(JSON.parse(JSON.stringify(PLUGIN_MANIFEST_SCHEMA)));
  });

  it('accepts the manifest of every plugin in this repository', async () => {
    for (const name of await readdir(plugins)) {
      const pkg = JSON.parse(await readFile(new URL(`${name}/package.json`, plugins), 'utf8').catch(() => '{}')) as { bioimageit?: unknown };
      if (pkg.bioimageit === undefined) continue;
      expect({ name, problems: schemaProblems(pkg.bioimageit, PLUGIN_MANIFEST_SCHEMA, 'bioimageit') }).toEqual({ name, problems: [] });
    }
  });

  it('reports every problem with its field path', () => {
    const problems = schemaProblems(
      {
        id: 'Bad Id',
        module: 'module',
        contributes: { runners: [{ id: 'x', satisfies: ['Docker'], whenUnavailable: 'maybe' }], widgets: [] },
        requires: ['docker'],
        probes: { docker: { anyOf: [{ onPath: 'docker', env: 'X' }], reason: '' } },
      },
      PLUGIN_MANIFEST_SCHEMA,
      'bioimageit',
    );
    expect(problems.map((p) => p.field)).toEqual([
      'bioimageit.engines',
      'bioimageit.id',
      'bioimageit.module',
      'bioimageit.contributes.runners[0].satisfies[0]',
      'bioimageit.contributes.runners[0].whenUnavailable',
      'bioimageit.contributes.widgets',
      'bioimageit.probes.docker.anyOf[0].onPath',
      'bioimageit.probes.docker.reason',
    ]);
  });
});

describe('checkPluginPackage', () => {
  it('adds the kernel checks a schema cannot make, and checks the module export', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bioimageit-check-plugin-'));
    try {
      await mkdir(join(dir, 'dist'));
      const manifest = { id: 'x', engines: { core: '^9.0.0' }, module: './module' };
      await writeFile(
        join(dir, 'package.json'),
        JSON.stringify({ name: 'x', type: 'module', exports: { './module': './dist/module.js' }, bioimageit: manifest }),
      );
      const check = await checkPluginPackage(dir, '0.1.0');
      expect(check.problems.map((p) => p.field)).toEqual(['bioimageit.engines.core', 'exports["./module"]']);
      expect(check.problems[0]?.message).toMatch(/needs @bioimageit\/core \^9\.0\.0/);
      expect(check.warnings.map((w) => w.field)).toEqual(['peerDependencies["@bioimageit/core"]', 'peerDependencies["inversify"]']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
