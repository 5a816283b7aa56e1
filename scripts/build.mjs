#!/usr/bin/env node
// Builds every workspace package in dependency order: core, then plugins/* and server (they depend
// only on core), then cli. Each package's own "build" script runs, so a package with native code
// (gpu-decon) decides itself what building means. `node scripts/build.mjs core cli` builds only
// the named package folders (in the same order).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const plugins = readdirSync(join(repo, 'plugins'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(repo, 'plugins', e.name, 'package.json')))
  .map((e) => `plugins/${e.name}`)
  .sort();
const order = ['core', ...plugins, 'server', 'cli'];
const wanted = process.argv.slice(2).map((p) => p.replace(/\/+$/, ''));
for (const unknown of wanted.filter((p) => !order.includes(p))) {
  console.error(`build: '${unknown}' is not a package folder (known: ${order.join(', ')})`);
  process.exit(2);
}
for (const dir of order) {
  if (wanted.length > 0 && !wanted.includes(dir)) continue;
  const pkg = JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8'));
  if (!pkg.scripts?.build) continue;
  console.log(`build: ${dir}`);
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: join(repo, dir), stdio: 'inherit' });
  } catch {
    console.error(`build: ${dir} failed`);
    process.exit(1);
  }
}
