import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel, type ExperimentStore, type Kernel } from '@bioimageit/core';
import { startServer, type RunningServer, type ServeOptions } from '../start-server.js';

/** A served workspace built by a test: one experiment, the tools it asked for. */
export interface ScratchWorkspace {
  readonly dir: string;
  readonly kernel: Kernel;
  readonly store: ExperimentStore;
  readonly server: RunningServer;
  readonly experimentId: string;
  /** `server.url` without the trailing slash, for `${base}/api/...`. */
  readonly base: string;
  cleanup(): Promise<void>;
}

/** What {@link serveScratchWorkspace} puts in the workspace. */
export interface ScratchWorkspaceOptions {
  /** Tool folders of the config besides `tools/` (absolute paths or package entries). */
  readonly toolDirs?: readonly string[];
  /** Native tool manifests written to `tools/<id>.tool.json` (name, version, description default). */
  readonly tools?: readonly Record<string, unknown>[];
  /** Fills the experiment (imports, processed items) before the server starts. */
  readonly prepare?: (workspace: { readonly dir: string; readonly kernel: Kernel; readonly store: ExperimentStore }) => Promise<void>;
  /** Plugins of the config (default: local-fs alone). */
  readonly plugins?: readonly string[];
  /** More settings of the workspace's config file (`import`...). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The environment the kernel reads (overrides, plugin probes); default none. */
  readonly kernelEnv?: NodeJS.ProcessEnv;
  /** Folder the workspace is made in (default: the system's temp folder). */
  readonly parent?: string;
  /** More options of the server (import roots...), given the workspace folder. */
  readonly serve?: (dir: string) => Partial<Omit<ServeOptions, 'kernel'>>;
}

/**
 * A fresh workspace (`experiments: '.'`, local-fs) with one experiment `exp` and a `tools/` folder,
 * prepared by the test and served on a free port of 127.0.0.1.
 */
export async function serveScratchWorkspace(prefix: string, options: ScratchWorkspaceOptions = {}): Promise<ScratchWorkspace> {
  const dir = await mkdtemp(join(options.parent ?? tmpdir(), prefix));
  await mkdir(join(dir, 'tools'));
  for (const tool of options.tools ?? [])
    await writeFile(
      join(dir, 'tools', `${String(tool['id'])}.tool.json`),
      JSON.stringify({ name: tool['id'], version: '1.0.0', description: 'test tool', ...tool }, null, 2),
    );
  const config = {
    user: { name: 'tester' },
    experiments: '.',
    plugins: options.plugins ?? ['@bioimageit/local-fs'],
    tools: { dirs: ['tools', ...(options.toolDirs ?? [])] },
    ...options.config,
  };
  await writeFile(join(dir, 'bioimageit.config.json'), JSON.stringify(config, null, 2));
  const kernel = await createKernel({ workspace: dir, env: options.kernelEnv ?? {} });
  const store = await kernel.createExperiment({ name: 'exp', author: 'tester' });
  await options.prepare?.({ dir, kernel, store });
  const server = await startServer({ kernel, port: 0, log: () => undefined, ...options.serve?.(dir) });
  return {
    dir,
    kernel,
    store,
    server,
    experimentId: (await store.info()).id,
    base: server.url.replace(/\/$/, ''),
    async cleanup() {
      await server.close();
      await kernel.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
