import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const folders = ['core', 'cli', 'server', ...readdirSync(join(REPO, 'plugins')).map((p) => `plugins/${p}`)];
const manifest = (folder: string) => JSON.parse(readFileSync(join(REPO, folder, 'package.json'), 'utf8')) as Record<string, unknown>;

/** What every published package promises its users: licence, Node range, where its code lives, what it ships. */
describe('published packages', () => {
  const license = readFileSync(join(REPO, 'LICENSE'), 'utf8');

  it('declare the licence of the LICENSE file, which each ships, and the citation file matches', () => {
    expect(license).toMatch(/^BSD 3-Clause License/);
    const citation = readFileSync(join(REPO, 'CITATION.cff'), 'utf8');
    expect(citation).toMatch(/^license: BSD-3-Clause$/m);
    expect(citation).toMatch(/^cff-version: 1\.2\.0$/m);
    expect(citation).toContain(`version: ${String(manifest('core')['version'])}`);
    for (const folder of folders) {
      expect(manifest(folder)['license'], folder).toBe('BSD-3-Clause');
      expect(readFileSync(join(REPO, folder, 'LICENSE'), 'utf8'), `${folder}/LICENSE`).toBe(license);
    }
  });

  it('declare engines, repository (with their folder) and keywords (bioimageit-plugin on plugins)', () => {
    const rootEngines = (manifest('.')['engines'] as Record<string, string>)['node'];
    expect(rootEngines).toBe('>=20.19.0');
    for (const folder of folders) {
      const pkg = manifest(folder);
      expect((pkg['engines'] as Record<string, string> | undefined)?.['node'], folder).toBe(rootEngines);
      expect(pkg['repository'], folder).toMatchObject({ type: 'git', directory: folder });
      const keywords = pkg['keywords'] as string[];
      expect(keywords, folder).toContain('bioimageit');
      if (folder.startsWith('plugins/')) expect(keywords, folder).toContain('bioimageit-plugin');
      else expect(keywords, folder).not.toContain('bioimageit-plugin');
    }
  });

  it('pack their licence and readme, and no spec files (npm pack --dry-run)', () => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--workspaces', '--ignore-scripts'], {
        cwd: REPO,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Array<{ name: string; files: Array<{ path: string }> }>;
    const published = packed.filter((p) => p.name !== '@bioimageit/tests');
    expect(published.map((p) => p.name).sort()).toEqual(folders.map((f) => manifest(f)['name'] as string).sort());
    for (const pkg of published) {
      const paths = pkg.files.map((f) => f.path);
      expect(paths, pkg.name).toContain('LICENSE');
      expect(paths, pkg.name).toContain('README.md');
      expect(
        paths.filter((p) => p.endsWith('.spec.ts')),
        pkg.name,
      ).toEqual([]);
    }
  });
});
