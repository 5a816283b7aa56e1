#!/usr/bin/env node
// npm run setup:system [-- PART ...] [--dry-run]
//
// Installs the system parts that some test suites need (scripts/system-parts.json) from Debian's
// archive: all of them by default, or the named ones. Runs `apt-get update` then
// `apt-get install -y --no-install-recommends …` as root, or through sudo when not root. Prints
// what it installs and why before it does; parts Debian does not have (nvcc, a GPU, a conda
// command) are named with what brings them. Exit 0 when everything asked for is installed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { parts } = JSON.parse(readFileSync(join(here, 'system-parts.json'), 'utf8'));
const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const asked = args.filter((a) => a !== '--dry-run');
const unknown = asked.filter((a) => !(a in parts));
if (unknown.length > 0) {
  console.error(`setup:system: unknown part(s) ${unknown.join(', ')} (known: ${Object.keys(parts).join(', ')})`);
  process.exit(2);
}
const wanted = asked.length > 0 ? asked : Object.keys(parts);
const installable = wanted.filter((id) => parts[id].apt !== undefined);
const elsewhere = wanted.filter((id) => parts[id].apt === undefined);

for (const id of installable) console.log(`setup:system: ${id}: ${parts[id].label}\n    apt: ${parts[id].apt.join(' ')}`);
for (const id of elsewhere) console.log(`setup:system: ${id}: ${parts[id].label}\n    not installed by this script: ${parts[id].how}`);
const packages = [...new Set(installable.flatMap((id) => parts[id].apt))].sort();
if (packages.length === 0) process.exit(asked.length > 0 && elsewhere.length === asked.length ? 1 : 0);

if (process.platform !== 'linux' || spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) {
  console.error(`setup:system: apt-get not found: this script installs Debian packages. Install the equivalents of: ${packages.join(' ')}`);
  process.exit(1);
}
const root = process.getuid?.() === 0;
const sudo = !root && spawnSync('sh', ['-c', 'command -v sudo'], { stdio: 'ignore' }).status === 0;
if (!root && !sudo) {
  console.error(`setup:system: needs root or sudo. As root, run:\n  apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`);
  process.exit(1);
}
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (argv) => {
  const command = sudo ? ['sudo', '--preserve-env=DEBIAN_FRONTEND', ...argv] : argv;
  console.log(`setup:system: ${command.join(' ')}`);
  if (dryRun) return;
  const done = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env });
  if (done.status !== 0) {
    console.error(`setup:system: '${command.join(' ')}' failed (exit ${done.status ?? done.signal})`);
    process.exit(1);
  }
};
run(['apt-get', 'update', '-qq']);
run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages]);
console.log(
  `setup:system: ${dryRun ? 'would install' : 'installed'} ${packages.length} package(s) for ${installable.join(', ')}.${installable.includes('fftw') ? ' npm test (or npm run build) now builds the gpu-decon addon.' : ''}`,
);
