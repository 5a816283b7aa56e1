import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CORE = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What the package's README and JSDoc promise to importers, resolved the way a consumer's Node
 * resolves it: from a package outside the repository that depends on @bioimageit/core (a symlink,
 * as npm links a workspace), with Node's default conditions (no `source`).
 */
describe('@bioimageit/core package exports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioimageit-exports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'node_modules/@bioimageit'), { recursive: true });
  symlinkSync(CORE, join(dir, 'node_modules/@bioimageit/core'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', dependencies: { '@bioimageit/core': '*' } }));

  it('exports the tool manifest JSON Schema as @bioimageit/core/schemas/tool-manifest.schema.json (require, import with type json)', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const viaRequire = require('@bioimageit/core/schemas/tool-manifest.schema.json');
      const { default: viaImport } = await import('@bioimageit/core/schemas/tool-manifest.schema.json', { with: { type: 'json' } });
      console.log(JSON.stringify({ title: viaRequire.title, same: JSON.stringify(viaRequire) === JSON.stringify(viaImport), pkg: require('@bioimageit/core/package.json').name }));
    `;
    writeFileSync(join(dir, 'check.mjs'), script);
    const out = spawnSync(process.execPath, [join(dir, 'check.mjs')], { cwd: dir, encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout) as { title: unknown; same: boolean; pkg: string };
    expect(typeof result.title).toBe('string');
    expect(result.same).toBe(true);
    expect(result.pkg).toBe('@bioimageit/core');
  });
});
