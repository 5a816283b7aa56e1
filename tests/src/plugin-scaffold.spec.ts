import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, REPO, writeStack } from './cli-harness.js';
import { BUILT_CLI, startCli } from './cli-process.js';

const run = promisify(execFile);

/**
 * The plugin author's kit, end to end, in a folder outside the repository: `bioimageit plugin new`
 * scaffolds a runner, a storage and a tools plugin; each builds and passes core's contract suite
 * against the *packed* `@bioimageit/core`; a workspace names them by folder path and the built CLI
 * stores an experiment through the storage and runs a tool through the runner — no edit to core,
 * the CLI or the server.
 *
 * Installing: the packed core tarball is unpacked into the folder's node_modules as npm would. Its
 * dependencies and the dev tools (vitest, typescript, @types/node) are linked to the host's
 * node_modules: this test must run offline, and the npm cache holds no registry metadata for them.
 * A plugin author runs `npm install` instead.
 */
let root: string;
const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NO_COLOR: '1' };
const node = (cwd: string, args: string[]) => run(process.execPath, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bioimageit-plugin-kit-'));
  expect(root.startsWith(REPO)).toBe(false);
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', root], { cwd: join(REPO, 'core') });
  const tarball = join(root, stdout.trim().split('\n').pop() ?? '');
  const modules = join(root, 'node_modules');
  await mkdir(join(modules, '@bioimageit'), { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', join(modules, '@bioimageit')]);
  await rename(join(modules, '@bioimageit', 'package'), join(modules, '@bioimageit', 'core'));
  const core = JSON.parse(await readFile(join(modules, '@bioimageit/core/package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of [...Object.keys(core.dependencies), 'vitest', 'typescript', '@types/node']) {
    await mkdir(join(modules, name, '..'), { recursive: true });
    if (!existsSync(join(modules, name))) await symlink(join(REPO, 'node_modules', name), join(modules, name));
  }
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('bioimageit plugin new, out of the repository', () => {
  it('scaffolds runner, storage and tools plugins that pass their own suites, validate, and serve a workspace', async () => {
    for (const [kind, name] of [
      ['runner', '@lab/lab-runner'],
      ['storage', '@lab/lab-store'],
      ['tools', 'lab-tools'],
    ] as const) {
      const made = await cli(root, ['plugin', 'new', kind, name, '--dir', root]);
      expect(made.stderr).toBe('');
      expect(made.code).toBe(0);
    }
    expect((await readdir(join(root, 'lab-runner', 'src'))).sort()).toEqual(['module.ts', 'runner.spec.ts', 'runner.ts']);
    for (const plugin of ['lab-runner', 'lab-store', 'lab-tools']) {
      const dir = join(root, plugin);
      await node(dir, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.']);
      const tests = await node(dir, [join(root, 'node_modules/vitest/vitest.mjs'), 'run']);
      expect(tests.stdout).toMatch(/Tests\s+\S*\s*\d+ passed/);
      expect(tests.stdout).not.toMatch(/failed/);
      const valid = await cli(root, ['plugins', 'validate', dir]);
      expect({ plugin, code: valid.code, stderr: valid.stderr }).toEqual({ plugin, code: 0, stderr: '' });
    }
    expect(await readFile(join(root, 'lab-runner', 'src', 'runner.spec.ts'), 'utf8')).toContain('describeRunnerContract');

    const ws = join(root, 'ws');
    await mkdir(join(ws, 'images'), { recursive: true });
    await writeStack(join(ws, 'images', 'a.tif'), 1);
    await writeStack(join(ws, 'images', 'b.tif'), 2);
    const config = {
      user: { name: 'tester' },
      experiments: `lab-store://${join(ws, 'experiments')}`,
      plugins: ['@bioimageit/local-fs', join(root, 'lab-runner'), join(root, 'lab-store'), join(root, 'lab-tools')],
    };
    await writeFile(join(ws, 'bioimageit.config.json'), JSON.stringify(config, null, 2));
    const bioimageit = async (...argv: string[]) => {
      const out = await startCli(BUILT_CLI, argv, ws).done;
      expect({ argv, code: out.code, stderr: out.stderr }).toEqual({ argv, code: 0, stderr: '' });
      return out.stdout;
    };
    expect(await bioimageit('experiment', 'create', 'Exp')).toContain(`lab-store://${join(ws, 'experiments', 'Exp')}`);
    expect(await bioimageit('import', join(ws, 'images'), '-e', 'Exp')).toMatch(/imported 2 item/);
    expect(await bioimageit('tools', 'list')).toContain('lab-tools.copy');
    const out = JSON.parse(
      await bioimageit('run', 'lab-tools.copy', '-e', 'Exp', '-i', 'image=data:name~tif', '-o', 'copies', '--runner', 'lab-runner', '--json'),
    ) as {
      run: { status: string; runner: string; jobs: { status: string }[] };
    };
    expect(out.run.status).toBe('succeeded');
    expect(out.run.runner).toBe('lab-runner');
    expect(out.run.jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded']);
    expect((await readdir(join(ws, 'experiments', 'Exp', 'copies'))).filter((f) => f.endsWith('.tif')).sort()).toEqual(['copy_a.tif', 'copy_b.tif']);
    // a tool that requires what the scaffolded runner declares it satisfies runs through it, with no --runner: it wins over local
    const toolFile = join(root, 'lab-tools', 'tools', 'copy', 'copy.tool.json');
    const tool = JSON.parse(await readFile(toolFile, 'utf8')) as Record<string, unknown>;
    await writeFile(
      join(root, 'lab-tools', 'tools', 'copy', 'needs-runner.tool.json'),
      JSON.stringify({ ...tool, id: 'lab-tools.copy-on-lab-runner', requirements: { 'lab-runner': {} } }),
    );
    const chosen = JSON.parse(await bioimageit('run', 'lab-tools.copy-on-lab-runner', '-e', 'Exp', '-i', 'image=data:name~tif', '-o', 'chosen', '--json')) as {
      run: { status: string; runner: string };
      warnings?: string[];
    };
    expect([chosen.run.status, chosen.run.runner]).toEqual(['succeeded', 'lab-runner']);
    const plugins = JSON.parse(await bioimageit('plugins', '--json')) as { id: string; state: string }[];
    expect(plugins.map((p) => p.id)).toEqual(expect.arrayContaining(['lab-runner', 'lab-store', 'lab-tools']));
  }, 240_000);
});

describe('bioimageit plugins validate', () => {
  it('reports every problem of a plugin package with its field path and exits 1', async () => {
    const dir = join(root, 'bad-plugin');
    await mkdir(dir, { recursive: true });
    const manifest = { id: 'Bad', engines: { core: '^0.1.0' }, module: 'module', contributes: { runners: [{ id: 'x', priority: 'high' }], widgets: [] } };
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'bad-plugin', type: 'module', bioimageit: manifest }));
    const out = await cli(root, ['plugins', 'validate', dir]);
    expect(out.code).toBe(1);
    for (const field of ['bioimageit.id', 'bioimageit.module', 'bioimageit.contributes.runners[0].priority', 'bioimageit.contributes.widgets']) {
      expect(out.stderr).toContain(`invalid: ${dir}: ${field}: `);
    }
    expect(out.stderr).toContain('warning: ');
  });
});
