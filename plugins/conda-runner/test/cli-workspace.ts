import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKernel } from '@bioimageit/core';

/**
 * A workspace for the CLI process specs: local-fs + conda-runner plugins, `tools` (manifest bodies,
 * one `<id>.tool.json` each) in `tools/`, and an experiment `exp` holding two imported CSV items.
 * Returns the workspace folder (the caller removes it).
 */
export async function condaCliWorkspace(prefix: string, tools: readonly Record<string, unknown>[]): Promise<string> {
  const workspace = await mkdtemp(path.join(tmpdir(), prefix));
  await mkdir(path.join(workspace, 'tools'));
  await mkdir(path.join(workspace, 'incoming'));
  for (const t of tools) await writeFile(path.join(workspace, 'tools', `${String(t['id'])}.tool.json`), JSON.stringify(t));
  const config = { user: { name: 'tester' }, experiments: '.', plugins: ['@bioimageit/local-fs', '@bioimageit/conda-runner'], tools: { dirs: ['tools'] } };
  await writeFile(path.join(workspace, 'bioimageit.config.json'), JSON.stringify(config));
  for (const n of [1, 2]) await writeFile(path.join(workspace, 'incoming', `t${n}.csv`), `a,b\n${n},${n}\n`);
  const kernel = await createKernel({ workspace, env: {} });
  const store = await kernel.createExperiment({ name: 'exp', author: 'tester' });
  await kernel.importData(store, path.join(workspace, 'incoming'), { author: 'tester' });
  await kernel.dispose();
  return workspace;
}
