import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_SETTINGS, type ClusterContext } from './cluster-context.js';

/** BioImageIT v1's fixtures (exp100 and the biitcopy/biitthreshold/biitfail wrappers). */
export const V1_FIXTURES = fileURLToPath(new URL('../../../tests/fixtures/v1/', import.meta.url));

/** The repository root (where the CLI's sources are). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** A native test tool with one data input `i` and one TIFF output `o`. */
export function nativeTool(
  id: string,
  description: string,
  argv: readonly string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> & { id: string } {
  return {
    id,
    name: id,
    version: '1.0.0',
    description,
    inputs: [{ name: 'i', type: 'data' }],
    outputs: [{ name: 'o', format: 'imagetiff' }],
    command: { argv },
    ...extra,
  };
}

/** Exits 3 (after writing to stderr) for inputs named `*_003.tif`, copies the others. */
export const PICKY_COPY = nativeTool('test.picky-copy', 'copies its input, fails with exit code 3 on *_003.tif', [
  'sh',
  '-c',
  'case "$1" in *_003.tif) echo "refusing $1" >&2; exit 3;; esac; cp "$1" "$2"',
  'sh',
  '{inputs.i}',
  '{outputs.o}',
]);

/** Sleeps for a minute, then copies (cancellation target). */
export const SLEEPER = nativeTool('test.sleeper', 'sleeps 60 s, then copies', ['sh', '-c', 'sleep 60; cp "$1" "$2"', 'sh', '{inputs.i}', '{outputs.o}']);

/** Asks SLURM for 64 MB and allocates 400 MB (memory limit target). */
export const GREEDY = nativeTool(
  'test.greedy',
  'allocates 400 MB while asking for 64 MB',
  [
    '{env.python}',
    '-c',
    'import shutil, sys, time; b = b"x" * (400 * 1024 * 1024); time.sleep(10); shutil.copy(sys.argv[1], sys.argv[2])',
    '{inputs.i}',
    '{outputs.o}',
  ],
  { resources: { memoryMb: 64 } },
);

/** A workspace (inside the cluster's shared folder) holding a copy of exp100 and the test tools. */
export interface SlurmWorkspace {
  readonly path: string;
  readonly exp: string;
  /** Variables that point the plugin at the test cluster with fast polling. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Makes a workspace whose config enables local-fs and the slurm runner, with v1's wrappers and the
 * test tools; `python` is the interpreter tools get as `{env.python}` (Debian's python3: the first
 * python3 on PATH may lack numpy and tifffile).
 */
export async function slurmWorkspace(context: ClusterContext, prefix: string, python = 'python3'): Promise<SlurmWorkspace> {
  const workspace = await mkdtemp(path.join(context.root, prefix));
  const exp = path.join(workspace, 'exp100');
  await cp(path.join(V1_FIXTURES, 'exp100'), exp, { recursive: true });
  await mkdir(path.join(workspace, 'tools'));
  for (const tool of [PICKY_COPY, SLEEPER, GREEDY]) await writeFile(path.join(workspace, 'tools', `${tool.id}.tool.json`), JSON.stringify(tool));
  const config = {
    user: { name: 'tester' },
    plugins: ['@bioimageit/local-fs', '@bioimageit/slurm-runner'],
    tools: { dirs: [path.join(V1_FIXTURES, 'tools'), 'tools'] },
    env: { python },
  };
  await writeFile(path.join(workspace, 'bioimageit.config.json'), JSON.stringify(config));
  return {
    path: workspace,
    exp,
    env: {
      SLURM_CONF: context.cluster.env['SLURM_CONF'] as string,
      BIOIMAGEIT_SLURM_POLL_MIN_MS: String(TEST_SETTINGS.pollMinMs),
      BIOIMAGEIT_SLURM_POLL_MAX_MS: String(TEST_SETTINGS.pollMaxMs),
      BIOIMAGEIT_SLURM_KILL_GRACE_MS: String(TEST_SETTINGS.killGraceMs),
      BIOIMAGEIT_SLURM_BATCH_IDLE_MS: '500',
    },
  };
}
