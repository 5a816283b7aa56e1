import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinFormatCodecs } from '../../formats/index.js';
import { createKernelHooks, type KernelHooks } from '../../hooks/kernel-hooks.js';
import type { Tags } from '../../model/data-item.js';
import { FormatRegistry, RunnerRegistry } from '../../registry/registries.js';
import { LocalRunner } from '../../runner/local-runner.js';
import { createToolManifest } from '../../tools/load-tool-manifest.js';
import type { ToolManifest } from '../../tools/tool-manifest.js';
import { RunEngine, type RunEngineOptions } from '../run-engine.js';
import { MemoryStore } from './memory-store.js';

/** A temp folder with a MemoryStore, registries, hooks and an engine over them. */
export interface EngineFixture {
  readonly root: string;
  readonly store: MemoryStore;
  readonly hooks: KernelHooks;
  readonly engine: RunEngine;
  /** Adds a raw item whose file holds `content`, tagged. */
  addItem(name: string, content: string, tags: Tags): Promise<void>;
  /** A native tool manifest whose source is a file in the fixture's folder. */
  tool(body: Record<string, unknown>): ToolManifest;
  cleanup(): Promise<void>;
}

export async function engineFixture(options: Partial<RunEngineOptions> = {}): Promise<EngineFixture> {
  const root = await mkdtemp(join(tmpdir(), 'bioimageit-engine-'));
  const store = new MemoryStore(root);
  const hooks = createKernelHooks();
  const runners = new RunnerRegistry();
  runners.register(new LocalRunner({ killGraceMs: 500 }));
  const formats = new FormatRegistry();
  for (const codec of builtinFormatCodecs()) formats.register(codec);
  const engine = new RunEngine({ hooks, runners, formats, user: 'tester', batch: { maxJobs: 50, maxDelayMs: 20 }, ...options });
  return {
    root,
    store,
    hooks,
    engine,
    async addItem(name, content, tags) {
      const path = join(root, name);
      await writeFile(path, content);
      const sha256 = createHash('sha256').update(content).digest('hex');
      await store.addRawItems([
        {
          sourcePath: path,
          name,
          mode: 'reference',
          format: 'tablecsv',
          size: content.length,
          sha256,
          metadata: {},
          tags,
          author: 'tester',
          date: '2026-01-01',
        },
      ]);
    },
    tool(body) {
      return createToolManifest(
        { name: String(body['id']), version: '1.0.0', description: 'test tool', ...body },
        join(root, `${String(body['id'])}.tool.json`),
      );
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A native `cp`-like tool: copies input `i` to output `o` (`.txt`). */
export const COPY_TOOL = {
  id: 'test.copy',
  inputs: [{ name: 'i', type: 'data' }],
  outputs: [{ name: 'o', format: 'text', extension: 'txt', label: 'Copy' }],
  command: { argv: ['cp', '{inputs.i}', '{outputs.o}'] },
};

/** A tool running `sh -c SCRIPT` with the input and output paths as $1 and $2 (tests only: the script is fixed). */
export function shellTool(id: string, script: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    inputs: [{ name: 'i', type: 'data' }],
    outputs: [{ name: 'o', format: 'text', extension: 'txt' }],
    command: { argv: ['sh', '-c', script, 'sh', '{inputs.i}', '{outputs.o}'] },
    ...extra,
  };
}
