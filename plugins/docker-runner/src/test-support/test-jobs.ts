import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunnerJob, ToolManifest, ToolResources } from '@bioimageit/core';

/** A complete tool manifest for runner tests: `image` as its docker requirement. */
export function testTool(
  image: string,
  resources: ToolResources = {},
  extra: { readonly network?: boolean } = {},
  source = '/nonexistent/test.tool.json',
): ToolManifest {
  return {
    id: 'test.docker-tool',
    name: 'docker test tool',
    version: '1.0.0',
    description: 'a tool for docker runner tests',
    categories: [],
    inputs: [],
    outputs: [],
    command: { argv: ['true'] },
    requirements: { docker: { image, ...extra } },
    resources,
    type: 'map',
    tests: [],
    source,
    digest: '0'.repeat(64),
  };
}

/** A scratch folder with a fresh job folder and log paths per call. */
export async function jobScratch(
  prefix = 'biit-docker-',
): Promise<{ dir: string; job(argv: string[], extra?: Partial<RunnerJob>): Promise<RunnerJob>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  let n = 0;
  return {
    dir,
    async job(argv, extra = {}) {
      const id = `job-${++n}`;
      const cwd = path.join(dir, id);
      await mkdir(cwd, { recursive: true });
      return { id, argv, env: {}, cwd, stdoutPath: path.join(dir, `${id}.out.log`), stderrPath: path.join(dir, `${id}.err.log`), ...extra };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
