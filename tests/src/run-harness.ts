import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { debianPython } from '@bioimageit/core/testing';
import { createKernel, type DataItem, type Kernel, type RunRecord } from '@bioimageit/core';
import { cli, copyV1Experiment, tempDir, V1_FIXTURES, type CliRun } from './cli-harness.js';

/**
 * Debian's python3 (`command -p -v python3`), the one the v1 threshold wrapper runs with tifffile;
 * plain `python3` where there is none (the specs that need it skip through `skipWithout('python')`).
 */
export function systemPython(): string {
  return debianPython([]).python ?? 'python3';
}

/** A workspace holding a copy of v1's exp100, with tool folders and `{env.NAME}` values configured. */
export interface RunWorkspace {
  readonly path: string;
  /** Folder of native test tools (also in `tools.dirs`). */
  readonly toolDir: string;
  /** The exp100 copy. */
  readonly exp: string;
  /** A file tools append a line to each time they execute (`{env.counter}`). */
  readonly counter: string;
  /** The bioimageit CLI in-process, in this workspace. */
  run(argv: string[]): Promise<CliRun>;
  /** Adds a native tool manifest (`<id>.tool.json`) to the tool folder. */
  addTool(manifest: Record<string, unknown>): Promise<void>;
  /** Lines of the counter file. */
  executions(): Promise<string[]>;
  /** A kernel over the workspace, for assertions (disposed by cleanup). */
  kernel(): Promise<Kernel>;
  items(dataset: string): Promise<readonly DataItem[]>;
  runs(dataset?: string): Promise<readonly RunRecord[]>;
  cleanup(): Promise<void>;
}

export async function runWorkspace(prefix: string): Promise<RunWorkspace> {
  const dir = await tempDir(prefix);
  const toolDir = join(dir.path, 'tools');
  await mkdir(toolDir);
  const exp = await copyV1Experiment(dir.path);
  const counter = join(dir.path, 'executions.log');
  const config = {
    user: { name: 'tester' },
    experiments: '.',
    plugins: ['@bioimageit/local-fs'],
    tools: { dirs: [join(V1_FIXTURES, 'tools'), 'tools'] },
    env: { python: systemPython(), counter },
  };
  await writeFile(join(dir.path, 'bioimageit.config.json'), JSON.stringify(config, null, 2));
  let kernel: Promise<Kernel> | undefined;
  const ws: RunWorkspace = {
    path: dir.path,
    toolDir,
    exp,
    counter,
    run: (argv) => cli(dir.path, argv, { BIOIMAGEIT_WORKSPACE: dir.path }),
    addTool: (manifest) =>
      writeFile(
        join(toolDir, `${String(manifest['id'])}.tool.json`),
        JSON.stringify({ name: manifest['id'], version: '1.0.0', description: 'test tool', ...manifest }),
      ),
    executions: async () => (await readFile(counter, 'utf8').catch(() => '')).split('\n').filter((l) => l !== ''),
    kernel: () => (kernel ??= createKernel({ workspace: dir.path, env: {} })),
    items: async (dataset) => (await (await ws.kernel()).openExperiment(exp)).items(dataset),
    runs: async (dataset) => (await (await ws.kernel()).openExperiment(exp)).listRuns(dataset),
    cleanup: async () => {
      if (kernel !== undefined) await (await kernel).dispose();
      await dir.cleanup();
    },
  };
  return ws;
}

/**
 * A native tool that appends `<tag> <input path>` to the counter file each time it runs, then copies
 * its input to its output: `{inputs.i}` → `{outputs.o}` (`.tif`, so outputs stay images).
 */
export function countingCopyTool(id: string, script = 'echo "$4 $1" >> "$3"; cp "$1" "$2"'): Record<string, unknown> {
  return {
    id,
    inputs: [
      { name: 'i', type: 'data' },
      { name: 'tag', type: 'string', default: 'run' },
    ],
    outputs: [{ name: 'o', format: 'imagetiff', label: 'Copy' }],
    command: { argv: ['sh', '-c', script, 'sh', '{inputs.i}', '{outputs.o}', '{env.counter}', '{params.tag}'] },
  };
}

/** Parses the `--json` output of `bioimageit run`. */
export function runJson(out: CliRun): { run: RunRecord; unmatched: { input: string; name: string }[]; resumed: boolean } {
  try {
    return JSON.parse(out.stdout) as ReturnType<typeof runJson>;
  } catch {
    throw new Error(`not JSON (exit ${out.code}):\n${out.stdout}\n${out.stderr}`);
  }
}
