import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTiff } from '@bioimageit/core';
import { runCli } from './program.js';

/**
 * `npm run demo`: the main job on the embedded defaults (local files). Creates a workspace,
 * writes a small synthetic plate of OME-TIFF stacks, imports it with tags taken from file and
 * folder names, retags one population by hand, and runs v1-style and richer queries.
 * Usage: node cli/dist/demo.js [WORKSPACE]   (default: ./demo-workspace, recreated each time)
 */
const here = dirname(fileURLToPath(import.meta.url));
const workspace = resolve(process.argv[2] ?? join(here, '../../demo-workspace'));
const raw = join(workspace, 'incoming');

/** Quotes an argument the way a user would type it in a POSIX shell. */
function shellQuote(arg: string): string {
  if (!/[\s'"()<>|&*;$\\]/.test(arg)) return arg;
  return arg.includes("'") ? `"${arg.replace(/(["\\$`])/g, '\\$1')}"` : `'${arg}'`;
}

async function step(title: string, argv: string[]): Promise<void> {
  process.stdout.write(`\n$ bioimageit ${argv.map(shellQuote).join(' ')}\n`);
  const code = await runCli(['--workspace', workspace, ...argv]);
  if (code !== 0) throw new Error(`demo step '${title}' failed with exit code ${code}`);
}

async function writePlate(): Promise<number> {
  let count = 0;
  for (const well of ['A01', 'A02', 'B01', 'B02']) {
    for (const population of ['population1', 'population2']) {
      for (let n = 1; n <= 5; n++) {
        const folder = join(raw, 'plate1', well);
        await mkdir(folder, { recursive: true });
        const [z, y, x] = [4, 32, 32];
        const data = new Uint16Array(z * y * x);
        for (let i = 0; i < data.length; i++) data[i] = (i * 7 + n * 131 + (population === 'population2' ? 1000 : 0)) % 4096;
        const name = `${well}_${population}_${String(n).padStart(3, '0')}.ome.tif`;
        await writeTiff(join(folder, name), {
          data,
          shape: [z, y, x],
          dtype: 'uint16',
          axes: 'ZYX',
          physicalSize: { x: { value: 0.104, unit: 'µm' }, y: { value: 0.104, unit: 'µm' }, z: { value: 0.4, unit: 'µm' } },
        }, { ome: true });
        count++;
      }
    }
  }
  return count;
}

if (existsSync(join(workspace, 'bioimageit.config.json'))) await rm(workspace, { recursive: true, force: true });
await mkdir(workspace, { recursive: true });
const written = await writePlate();
process.stdout.write(`wrote ${written} synthetic OME-TIFF stacks under ${raw}\n`);
await step('init', ['init', workspace, '--user', 'demo']);
await step('create', ['experiment', 'create', 'Demo plate', '--keys', 'Population,number']);
await step('import', ['import', raw, '-e', 'Demo plate', '-r', '--glob', '**/*.tif', '--tag-regex', '(?<Population>population\\d)_(?<number>\\d+)', '--folder-keys', 'Plate,Well']);
await step('tag', ['tag', 'set', '-e', 'Demo plate', '--where', 'Well in (A01, A02)', 'Treatment=control']);
await step('show', ['experiment', 'show', 'Demo plate']);
await step('query v1', ['query', '-e', 'Demo plate', '--where', 'Population=population1 AND number>2']);
await step('query rich', ['query', '-e', 'Demo plate', '--where', "(Well ~ '^B' OR Treatment=control) AND NOT number in (001, 005)", '--count']);
process.stdout.write(`\ndemo finished: workspace ${workspace}\n`);
