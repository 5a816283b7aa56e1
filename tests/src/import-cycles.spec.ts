import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** dependency-cruiser's command, a root devDependency (nothing else installed is needed). */
const DEPCRUISE = join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** Runs dependency-cruiser with `args` in the repository root; resolves with its exit code and output. */
function depcruise(args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DEPCRUISE, ...args], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** The arguments of `npm run check:cycles` (root package.json), after the command's name. */
async function checkCyclesArgs(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = (pkg.scripts['check:cycles'] ?? '').split(/\s+/);
  expect(command).toBe('depcruise');
  return args;
}

/** "No import cycle in the repository, checked by CI" (issue 17): `npm run check:cycles`, run here so CI counts it. */
describe('import cycles', () => {
  it('the repository has none (npm run check:cycles: every source file, type-only imports and workspace packages included)', async () => {
    const { code, output } = await depcruise(await checkCyclesArgs());
    expect(output).toContain('no dependency violations found');
    expect(code, output).toBe(0);
    // It did look at the sources: hundreds of modules across the packages.
    const modules = Number(/\((\d+) modules/.exec(output)?.[1]);
    expect(modules).toBeGreaterThan(300);
  });

  it('the check fails on a cycle and names its files (a type-only import with an ESM `.js` specifier counts)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bioimageit-cycle-'));
    try {
      await writeFile(join(dir, 'first.ts'), "import { second } from './second.js';\nexport const first = (): number => second + 1;\n");
      await writeFile(join(dir, 'second.ts'), "import type { first } from './first.js';\nexport const second = 1;\nexport type First = typeof first;\n");
      const args = (await checkCyclesArgs()).filter((arg) => arg !== '.');
      const { code, output } = await depcruise([...args, dir]);
      expect(code, output).not.toBe(0);
      expect(output).toContain('no-circular');
      expect(output).toMatch(/first\.ts[\s\S]*second\.ts[\s\S]*first\.ts/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
