import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTiff, type DataItem } from '@bioimageit/core';
import { writeSyntheticV1Experiment } from '@bioimageit/core/testing';

const CLI_DIR = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(CLI_DIR, 'bin/bioimageit.js');
const BUNDLE = join(CLI_DIR, 'bundle');
const VERSION = (JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * A plugin in a folder of its own, with no node_modules: it taps the kernel's hooks (so the kernel
 * activates it at start) and says where its `@bioimageit/core` and `inversify` resolve. With
 * THROW set, it throws the PluginError of the core it imported: the kernel passes its own class's
 * errors through as they are and wraps any other, so the message shows whose class it was.
 */
const PLUGIN_MODULE = `
import { ContainerModule } from 'inversify';
import { HookContribution, PluginError } from '@bioimageit/core';

const where = { core: import.meta.resolve('@bioimageit/core'), inversify: import.meta.resolve('inversify'), formats: import.meta.resolve('@bioimageit/core/formats') };

export default new ContainerModule(({ bind }) => {
  bind(HookContribution).toConstantValue({
    apply() {
      if (process.env.THROW === '1') throw new PluginError('NOT_FOUND', 'thrown with the host core');
      process.stderr.write('outside-hooks ' + JSON.stringify(where) + '\\n');
    },
  });
});
`;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node ARGS` in `cwd`; never rejects. */
function node(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...args], { cwd, env: { PATH: process.env['PATH'], USER: 'tester', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
  });
}

const bioimageit = (args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv) => node([BIN, ...args], cwd, env);

let dir: string;
let ws: string;
let pluginDir: string;

beforeAll(async () => {
  expect(existsSync(join(BUNDLE, 'bioimageit.js')), 'cli/bundle is missing: run npm run build').toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'bioimageit-bundle-'));
  ws = join(dir, 'ws');
  const init = await bioimageit(['init', ws], dir);
  expect(init.code, init.stderr).toBe(0);
  pluginDir = join(dir, 'outside-hooks');
  await mkdir(pluginDir);
  await writeFile(
    join(pluginDir, 'package.json'),
    JSON.stringify({
      name: 'outside-hooks',
      version: '1.0.0',
      type: 'module',
      exports: { './module': './module.js' },
      peerDependencies: { '@bioimageit/core': '^0.1.0', inversify: '^8.2.3' },
      bioimageit: { id: 'outside-hooks', engines: { core: '^0.1.0' }, module: './module', contributes: { hooks: true } },
    }),
  );
  await writeFile(join(pluginDir, 'module.js'), PLUGIN_MODULE);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the bundled bioimageit command (cli/bundle, written by npm run build)', () => {
  it('prints its version from the bin and from the bundle', async () => {
    expect(await bioimageit(['--version'], dir)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(await node([join(BUNDLE, 'bioimageit.js'), '-V'], dir)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const help = await bioimageit(['--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}query \[options\]/m);
    expect(help.stdout).toMatch(/^ {2}omero /m);
  });

  it('counts the hits of a query over 1,000 items', async () => {
    await writeSyntheticV1Experiment(join(ws, 'big'), 1000);
    expect(await bioimageit(['query', '-e', 'big', '--count'], ws)).toEqual({ code: 0, stdout: '1000\n', stderr: '' });
    expect(await bioimageit(['query', '-e', 'big', '--count', '--where', 'Population=population1'], ws)).toMatchObject({ code: 0, stdout: '500\n' });
  });

  it("gives a plugin loaded from a folder the bundle's one core and inversify", async () => {
    const config = join(ws, 'bioimageit.config.json');
    const before = await readFile(config, 'utf8');
    await writeFile(config, JSON.stringify({ ...(JSON.parse(before) as object), plugins: ['@bioimageit/local-fs', pluginDir] }));
    try {
      const listed = await bioimageit(['plugins', '--json'], ws);
      expect(listed.code, listed.stderr).toBe(0);
      expect((JSON.parse(listed.stdout) as { id: string; state: string }[]).find((p) => p.id === 'outside-hooks')?.state).toBe('active');
      const where = JSON.parse(/^outside-hooks (.*)$/m.exec(listed.stderr)?.[1] ?? '{}') as Record<string, string>;
      expect(where).toEqual({
        core: expect.stringMatching(/\/cli\/bundle\/shared\/core\.js$/),
        inversify: expect.stringMatching(/\/cli\/bundle\/shared\/inversify\.js$/),
        formats: expect.stringMatching(/\/cli\/bundle\/shared\/core-formats\.js$/),
      });
      const thrown = await bioimageit(['plugins'], ws, { THROW: '1' });
      expect(thrown).toMatchObject({ code: 1, stderr: 'error: thrown with the host core\n' });
    } finally {
      await writeFile(config, before);
    }
  });

  it("draws thumbnails in the thumbnails package's worker and finds the CLI's tools and templates", async () => {
    const incoming = join(dir, 'incoming');
    await mkdir(incoming);
    await writeFile(
      join(incoming, 'ramp.tif'),
      encodeTiff({ data: Uint16Array.from({ length: 40 * 60 }, (_, i) => i), shape: [40, 60], dtype: 'uint16', axes: 'YX' }),
    );
    expect((await bioimageit(['experiment', 'create', 'Plate'], ws)).code).toBe(0);
    const imported = await bioimageit(['import', incoming, '-e', 'Plate'], ws);
    expect(imported.code, imported.stderr).toBe(0);
    const [item] = JSON.parse((await bioimageit(['query', '-e', 'Plate', '--json'], ws)).stdout) as DataItem[];
    expect(item?.thumbnail).toMatch(/\.png$/);
    expect([...(await readFile(fileURLToPath(item?.thumbnail as string))).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);

    const tools = await bioimageit(['tools', 'list', '--json'], ws);
    expect(tools.code, tools.stderr).toBe(0);
    expect((JSON.parse(tools.stdout) as { tools: { id: string }[] }).tools.map((t) => t.id)).toContain('bioimageit.gaussian-blur');
    const scaffold = await bioimageit(['plugin', 'new', 'tools', '@lab/some-tools', '--dir', dir, '--json'], dir);
    expect(scaffold.code, scaffold.stderr).toBe(0);
    expect((JSON.parse(scaffold.stdout) as { files: string[] }).files).toContain('README.md');
  });
});
