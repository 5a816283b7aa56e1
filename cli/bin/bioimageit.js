#!/usr/bin/env node
// The bioimageit command: runs the bundle (bundle/bioimageit.js, which `npm run build` writes
// after the tsc build: scripts/bundle.mjs), else the tsc build (dist/main.js), e.g. in a checkout
// built by tsc alone. `--version` alone is answered from package.json without loading either.
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // Node 22.1+: compiled code is cached on disk (in the OS temp folder) for the next start.
  module.enableCompileCache?.();
  const bundle = new URL('../bundle/bioimageit.js', import.meta.url);
  await import(existsSync(bundle) ? bundle.href : '../dist/main.js');
}
