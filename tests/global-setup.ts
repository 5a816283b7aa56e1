import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: the process tests start the built CLI, so build once when `dist/` is
 * missing (`npm test` builds before vitest; a bare `npx vitest` lands here).
 */
export default function setup(): void {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
  const outputs = ['core/dist/index.js', 'plugins/local-fs/dist/local-fs-module.js', 'cli/dist/main.js'];
  if (!outputs.every((o) => existsSync(join(repo, o)))) execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
}
