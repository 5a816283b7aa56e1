import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeSkips } from './src/skip-summary.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = ['core', 'plugins/local-fs', 'plugins/thumbnails', 'plugins/tracking', 'plugins/model-zoo', 'server', 'cli'];
const outputs = [
  'core/dist/index.js',
  'plugins/local-fs/dist/local-fs-module.js',
  'plugins/thumbnails/dist/thumbnails-module.js',
  'plugins/tracking/dist/tracking-module.js',
  'plugins/model-zoo/dist/model-zoo-module.js',
  'server/dist/index.js',
  'cli/dist/main.js',
  'cli/bundle/bioimageit.js',
];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Vitest global setup: the process tests start the built CLI, so rebuild when `dist/` is missing
 * or older than the sources (`npm test` builds every package before vitest; a bare `npx vitest`
 * lands here and rebuilds only these, so a plugin being edited cannot block other suites).
 *
 * It also names a skip log (`BIOIMAGEIT_SKIP_LOG`, inherited by the test workers) that
 * `skipWithout()` appends to, and returns a teardown printing one summary of the suites skipped
 * for want of a system part and the command that installs each.
 */
export default function setup(): () => void {
  const built = outputs.map((o) => join(repo, o));
  const stale =
    !built.every((o) => existsSync(o)) ||
    Math.max(...packages.map((p) => newestSource(join(repo, p, 'src')))) > Math.min(...built.map((o) => statSync(o).mtimeMs));
  if (stale) execFileSync(process.execPath, ['scripts/build.mjs', ...packages], { cwd: repo, stdio: 'inherit' });

  const dir = mkdtempSync(join(tmpdir(), 'bioimageit-skips-'));
  const log = join(dir, 'skips.jsonl');
  process.env['BIOIMAGEIT_SKIP_LOG'] = log;
  return () => {
    const lines = existsSync(log) ? readFileSync(log, 'utf8') : '';
    const catalog = JSON.parse(readFileSync(join(repo, 'scripts/system-parts.json'), 'utf8')) as Parameters<typeof summarizeSkips>[1];
    process.stdout.write(`\n${summarizeSkips(lines, catalog)}\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}
