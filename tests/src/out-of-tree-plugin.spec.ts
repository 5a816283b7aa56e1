import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './cli-harness.js';
import { BUILT_CLI, startCli } from './cli-process.js';
import { countingCopyTool, runJson, runWorkspace, type RunWorkspace } from './run-harness.js';

/**
 * A runner plugin written in a folder outside the repository, with no node_modules of its own:
 * its module imports `inversify` and `@bioimageit/core` as bare specifiers, which the kernel's
 * module resolution hooks map to the host's copies (no symlink, no install). The built CLI runs as
 * its own process: in this one, vitest would load the plugin through its own module runner.
 */
const MODULE = `
import { ContainerModule } from 'inversify';
import { LocalRunner, RunnerContribution } from '@bioimageit/core';

const local = new LocalRunner();
const runner = {
  id: 'outside',
  async run(job, signal) {
    const result = await local.run(job, signal);
    return { ...result, environment: { ...result.environment, runner: 'outside' } };
  },
};

export default new ContainerModule(({ bind }) => {
  bind(RunnerContribution).toConstantValue({ registerRunners: (registry) => registry.register(runner) });
});
`;

let ws: RunWorkspace;
let pluginDir: string;

beforeAll(async () => {
  ws = await runWorkspace('bioimageit-out-of-tree-');
  pluginDir = await mkdtemp(join(tmpdir(), 'bioimageit-outside-plugin-'));
  expect(pluginDir.startsWith(REPO)).toBe(false);
  await writeFile(
    join(pluginDir, 'package.json'),
    JSON.stringify({
      name: 'outside-runner',
      version: '1.0.0',
      type: 'module',
      exports: { './module': './module.js' },
      peerDependencies: { '@bioimageit/core': '^0.1.0', inversify: '^8.2.3' },
      bioimageit: { id: 'outside-runner', engines: { core: '^0.1.0' }, module: './module', contributes: { runners: [{ id: 'outside' }] } },
    }),
  );
  await writeFile(join(pluginDir, 'module.js'), MODULE);
  const configFile = join(ws.path, 'bioimageit.config.json');
  const config = JSON.parse(await readFile(configFile, 'utf8')) as { plugins: string[] };
  await writeFile(configFile, JSON.stringify({ ...config, plugins: [...config.plugins, pluginDir] }, null, 2));
  await mkdir(ws.toolDir, { recursive: true });
  await ws.addTool(countingCopyTool('test.outside'));
});

afterAll(async () => {
  await ws.cleanup();
  await rm(pluginDir, { recursive: true, force: true });
});

describe('a plugin in a folder outside the repository', () => {
  it('is named by its path, activates with the host core and inversify, and runs a tool through its runner', async () => {
    const argv = ['run', 'test.outside', '-e', ws.exp, '-i', 'i=data:name=population1_001', '-o', 'outside', '--runner', 'outside', '--json'];
    const out = await startCli(BUILT_CLI, argv, ws.path).done;
    expect(out.stderr).not.toMatch(/Cannot find package/);
    const { run } = runJson({ ...out, code: out.code ?? 1 });
    expect(run.status).toBe('succeeded');
    expect(JSON.stringify(run)).toContain('"runner":"outside"');
    const plugins = await startCli(BUILT_CLI, ['plugins', '--json'], ws.path).done;
    const listed = JSON.parse(plugins.stdout) as { id: string; state: string }[];
    expect(listed.find((p) => p.id === 'outside-runner')?.state).toBe('declared');
  });
});
