import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerModule } from 'inversify';
import { defaultConfig } from '../config/kernel-config.js';
import { StorageContribution, type StorageBackend, type StorageRegistrar } from '../extension-points/storage-backend.js';
import { createKernel } from '../kernel/create-kernel.js';
import type { CapabilityProber } from './capabilities.js';
import { validatePluginManifest } from './plugin-manifest.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-plugins-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a plugin package under dir/node_modules whose module records its evaluation in a global. */
async function writePlugin(name: string, manifest: Record<string, unknown>, moduleBody?: string): Promise<void> {
  const pkgDir = join(dir, 'node_modules', name);
  await mkdir(pkgDir, { recursive: true });
  await writeFile(
    join(pkgDir, 'package.json'),
    JSON.stringify({ name, version: '1.2.3', type: 'module', exports: { './module': './module.js' }, bioimageit: manifest }),
  );
  const body =
    moduleBody ??
    `globalThis.__evaluated = [...(globalThis.__evaluated ?? []), ${JSON.stringify(name)}];
     const backend = { scheme: ${JSON.stringify((manifest['contributes'] as { storage?: { scheme: string }[] })?.storage?.[0]?.scheme ?? 'x')},
       listExperiments: async () => [{ id: '1', uri: 'demo://1', name: 'from-plugin', author: 'a', date: '2026-01-01', keys: [] }] };
     export default { id: 991, load(options) {
       options.bind(Symbol.for('@bioimageit/core/StorageContribution')).toConstantValue({ registerStorage: (r) => r.register(backend) });
     } };`;
  await writeFile(join(pkgDir, 'module.js'), body);
}

const manifest = (id: string, scheme: string, extra: Record<string, unknown> = {}) => ({
  id,
  engines: { core: '^0.1.0' },
  module: './module',
  contributes: { storage: [{ scheme }] },
  ...extra,
});

const kernelWith = (plugins: string[], prober?: CapabilityProber) =>
  createKernel({ config: { ...defaultConfig(dir, 'tester'), plugins }, pluginBases: [dir], ...(prober && { prober }) });

describe('plugin manifests', () => {
  it('rejects bad manifests naming the package and field', () => {
    expect(() => validatePluginManifest(undefined, 'p', '0.1.0')).toThrow(/plugin package 'p': manifest field 'bioimageit\.' is missing/);
    expect(() => validatePluginManifest({ ...manifest('Bad_Id', 'x') }, 'p', '0.1.0')).toThrow(/'bioimageit\.id'/);
    expect(() => validatePluginManifest({ ...manifest('ok', 'x'), engines: { core: 'not a range' } }, 'p', '0.1.0')).toThrow(/engines\.core/);
    expect(() => validatePluginManifest({ ...manifest('ok', 'x'), module: 'module.js' }, 'p', '0.1.0')).toThrow(/'bioimageit\.module'/);
    expect(() => validatePluginManifest({ ...manifest('ok', 'x'), requires: ['Quantum!'] }, 'p', '0.1.0')).toThrow(/'bioimageit\.requires\[0\]'/);
    expect(() => validatePluginManifest({ ...manifest('ok', 'x'), contributes: { widgets: [] } }, 'p', '0.1.0')).toThrow(/contributes\.widgets/);
    expect(() => validatePluginManifest({ ...manifest('ok', 'x'), contributes: { storage: [{ scheme: 'UP' }] } }, 'p', '0.1.0')).toThrow(
      /storage\[0\]\.scheme/,
    );
  });

  it('rejects an incompatible core range with ENGINE_MISMATCH', () => {
    expect(() => validatePluginManifest({ ...manifest('old', 'x'), engines: { core: '^2.0.0' } }, 'old-pkg', '0.1.0')).toThrow(
      expect.objectContaining({ code: 'ENGINE_MISMATCH', message: "plugin 'old' (old-pkg) needs @bioimageit/core ^2.0.0, but this is core 0.1.0" }),
    );
  });
});

describe('plugin loader', () => {
  it('validates manifests without importing code, then imports a plugin once on first use', async () => {
    (globalThis as { __evaluated?: string[] }).__evaluated = [];
    await writePlugin('biit-demo', manifest('demo', 'demo'));
    await writePlugin('biit-other', manifest('other', 'other'));
    const kernel = await kernelWith(['biit-demo', 'biit-other']);
    expect((globalThis as { __evaluated?: string[] }).__evaluated).toEqual([]);
    expect(kernel.plugins().map((p) => [p.id, p.state, p.version])).toEqual([
      ['demo', 'declared', '1.2.3'],
      ['other', 'declared', '1.2.3'],
    ]);
    const list = await kernel.listExperiments('demo://server');
    expect(list[0]?.name).toBe('from-plugin');
    await kernel.listExperiments('demo://server');
    expect((globalThis as { __evaluated?: string[] }).__evaluated).toEqual(['biit-demo']);
    expect(kernel.plugins().find((p) => p.id === 'demo')?.state).toBe('active');
    expect(kernel.plugins().find((p) => p.id === 'other')?.state).toBe('declared');
  });

  it('fails kernel creation on a missing package, a bad manifest or a duplicate id, naming the plugin', async () => {
    await expect(kernelWith(['not-installed'])).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining("plugin 'not-installed' is not installed"),
    });
    await writePlugin('biit-broken', { id: 'broken' });
    await expect(kernelWith(['biit-broken'])).rejects.toMatchObject({ code: 'BAD_MANIFEST', message: expect.stringContaining('biit-broken') });
    await writePlugin('biit-a', manifest('same', 'a'));
    await writePlugin('biit-b', manifest('same', 'b'));
    await expect(kernelWith(['biit-a', 'biit-b'])).rejects.toMatchObject({ code: 'DUPLICATE_ID', message: expect.stringContaining('biit-a and biit-b') });
  });

  it('keeps a plugin with a missing capability out of the way until it is asked for', async () => {
    await writePlugin('biit-docker', { ...manifest('docker-thing', 'dock'), requires: ['docker'] });
    const kernel = await kernelWith(['biit-docker'], () => ({ available: false, reason: 'no Docker Engine socket' }));
    expect(kernel.plugins()[0]).toMatchObject({ state: 'unavailable', reason: 'requires docker: no Docker Engine socket' });
    await expect(kernel.listExperiments('dock://x')).rejects.toMatchObject({
      code: 'MISSING_REQUIREMENT',
      message: "plugin 'docker-thing' is unavailable: requires docker: no Docker Engine socket",
    });
  });

  it("probes a capability as the plugin's manifest declares, with no probe written in core", async () => {
    const probes = {
      'quantum-link': { anyOf: [{ onPath: 'qlink-ctl-absent' }, { file: join(dir, 'no-such-device') }], reason: 'no link at {file}', fix: 'install qlink' },
    };
    await writePlugin('biit-quantum', { ...manifest('quantum-thing', 'qx'), requires: ['quantum-link'], probes });
    const kernel = await createKernel({ config: { ...defaultConfig(dir, 'tester'), plugins: ['biit-quantum'] }, pluginBases: [dir], env: { PATH: '' } });
    expect(kernel.plugins()[0]).toMatchObject({
      state: 'unavailable',
      reason: `requires quantum-link: no link at ${join(dir, 'no-such-device')} (install qlink)`,
    });
    await writeFile(join(dir, 'no-such-device'), '');
    const present = await createKernel({ config: { ...defaultConfig(dir, 'tester'), plugins: ['biit-quantum'] }, pluginBases: [dir], env: { PATH: '' } });
    expect(present.plugins()[0]?.state).toBe('declared');
  });

  it('reports which plugin failed to activate and why', async () => {
    await writePlugin('biit-crash', manifest('crash', 'crash'), `throw new Error('native library libfoo.so missing');`);
    const kernel = await kernelWith(['biit-crash']);
    const err = await kernel.listExperiments('crash://x').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ACTIVATION_FAILED', details: { plugin: 'crash', package: 'biit-crash' } });
    expect((err as Error).message).toMatch(/activating plugin 'crash' \(biit-crash\) failed: native library libfoo\.so missing/);
    expect(kernel.plugins()[0]?.state).toBe('failed');
  });

  it('accepts in-process plugins from TypeScript users, bound through inversify', async () => {
    const backend = { scheme: 'mem', listExperiments: async () => [] } as unknown as StorageBackend;
    const module = new ContainerModule(({ bind }) => {
      bind(StorageContribution).toConstantValue({ registerStorage: (r: StorageRegistrar) => r.register(backend) });
    });
    const kernel = await createKernel({
      config: { ...defaultConfig(dir, 'tester'), plugins: [] },
      inlinePlugins: [{ manifest: manifest('mem', 'mem'), module }],
    });
    await expect(kernel.storage.get('mem')).resolves.toBe(backend);
  });
});

describe('settings declared by plugins', () => {
  it('a config setting no configured plugin declares is refused, naming it and the known ones', async () => {
    await writePlugin('p-settings', manifest('with-settings', 'ws', { settings: ['BIOIMAGEIT_WS_URL', 'BIOIMAGEIT_WS_TOKEN_FILE'] }));
    const base = { ...defaultConfig(dir, 'tester'), plugins: ['p-settings'] };
    const kernel = await createKernel({ config: { ...base, settings: { BIOIMAGEIT_WS_URL: 'https://x' } }, pluginBases: [dir] });
    await kernel.dispose();
    await expect(createKernel({ config: { ...base, settings: { BIOIMAGEIT_WS_ULR: 'https://x' } }, pluginBases: [dir] })).rejects.toMatchObject({
      area: 'config',
      code: 'INVALID',
      message: `${join(dir, 'bioimageit.config.json')}: setting 'BIOIMAGEIT_WS_ULR' is not read by any configured plugin (known: BIOIMAGEIT_WS_TOKEN_FILE, BIOIMAGEIT_WS_URL)`,
    });
    expect(() => validatePluginManifest(manifest('bad', 'x', { settings: ['lower'] }), 'p', '0.1.0')).toThrow(/'bioimageit\.settings' must list setting names/);
  });
});
