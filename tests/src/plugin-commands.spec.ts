import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from './cli-harness.js';

/**
 * Commands contributed by plugins (`bioimageit.contributes.commands`): declared in the manifest with
 * a one-line summary, their module (a framework-neutral CommandDescription) imported only when the
 * command runs, translated by the CLI into its own commands.
 */

/** A folder plugin with a command module written as plain JavaScript. */
async function folderPlugin(root: string, folder: string, id: string, commands: readonly { name: string; summary: string }[], code: string): Promise<void> {
  const dir = join(root, folder);
  await mkdir(dir, { recursive: true });
  const manifest = { id, engines: { core: '^0.1.0' }, module: './module', contributes: { commands: commands.map((c) => ({ ...c, module: './cli.js' })) } };
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `@lab/${id}`, version: '1.0.0', type: 'module', bioimageit: manifest }, null, 2));
  await writeFile(join(dir, 'cli.js'), code);
}

const HELLO = `
export default {
  name: 'hello',
  summary: 'say hello to someone',
  arguments: [{ name: 'who', description: 'whom to greet', required: false }],
  options: [
    { name: 'times', short: 't', type: 'number', description: 'how many times', default: 1 },
    { name: 'shout', type: 'boolean', description: 'in capitals' },
    { name: 'also', short: 'a', type: 'repeatable', valueName: 'name', description: 'more people' },
    { name: 'exit-with', type: 'number', description: 'exit status' },
    { name: 'plugins', type: 'boolean', description: 'list the configured plugins (creates the kernel)' },
  ],
  async run({ arguments: a, options: o }, ctx) {
    if (o['plugins']) {
      const kernel = await ctx.kernel();
      ctx.out(kernel.plugins().map((p) => p.id).join(','));
      return;
    }
    const who = [a['who'] ?? 'world', ...(o['also'] ?? [])].join(' and ');
    if (who.includes('nobody')) throw ctx.usageError('greet somebody');
    const line = o['shout'] ? \`HELLO \${who.toUpperCase()}\` : \`hello \${who}\`;
    if (ctx.json) ctx.out(JSON.stringify({ greeting: line, times: o['times'], setting: ctx.env['HELLO_GREETING'] ?? null }));
    else for (let i = 0; i < o['times']; i++) ctx.out(line);
    return o['exit-with'];
  },
};
`;

let root: { path: string; cleanup: () => Promise<void> };
const workspace = (name: string) => join(root.path, name);

/** A workspace folder whose config names `plugins` (folder plugins relative to the workspace). */
async function workspaceWith(name: string, plugins: readonly string[]): Promise<string> {
  const dir = workspace(name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'bioimageit.config.json'), JSON.stringify({ plugins: ['@bioimageit/local-fs', ...plugins] }));
  return dir;
}

beforeAll(async () => {
  root = await tempDir('bioimageit-plugin-commands-');
  await folderPlugin(root.path, 'plugins/hello', 'hello', [{ name: 'hello', summary: 'say hello to someone' }], HELLO);
  await folderPlugin(
    root.path,
    'plugins/broken',
    'broken',
    [{ name: 'broken', summary: 'a command whose module throws when imported' }],
    "throw new Error('the broken command module was imported');\n",
  );
  await folderPlugin(root.path, 'plugins/other-hello', 'other-hello', [{ name: 'hello', summary: 'another hello' }], HELLO);
  await folderPlugin(root.path, 'plugins/bad-init', 'bad-init', [{ name: 'init', summary: 'not the real init' }], HELLO);
  await workspaceWith('ws', ['../plugins/hello', '../plugins/broken']);
  await workspaceWith('clash', ['../plugins/hello', '../plugins/other-hello']);
  await workspaceWith('builtin-clash', ['../plugins/bad-init']);
  await workspaceWith('missing', ['../plugins/not-there']);
});
afterAll(async () => {
  await root.cleanup();
});

describe('a command contributed by a plugin', () => {
  it('runs through the CLI with its arguments and typed options', async () => {
    const run = await cli(workspace('ws'), ['hello', 'Ada', '-t', '2', '--shout', '-a', 'Grace', 'Joan']);
    expect(run).toEqual({ code: 0, stdout: 'HELLO ADA AND GRACE AND JOAN\nHELLO ADA AND GRACE AND JOAN\n', stderr: '' });
    expect((await cli(workspace('ws'), ['hello'])).stdout).toBe('hello world\n');
  });

  it('gets the global --json, the workspace settings-filled environment, the exit convention and the kernel', async () => {
    const json = await cli(workspace('ws'), ['--json', 'hello', 'Ada'], { HELLO_GREETING: 'hi' });
    expect(JSON.parse(json.stdout)).toEqual({ greeting: 'hello Ada', times: 1, setting: 'hi' });
    expect(await cli(workspace('ws'), ['hello', '--exit-with', '3'])).toMatchObject({ code: 3, stdout: 'hello world\n' });
    expect(await cli(workspace('ws'), ['hello', 'nobody'])).toEqual({ code: 2, stdout: '', stderr: 'error: greet somebody\n' });
    const bad = await cli(workspace('ws'), ['hello', '-t', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'many' is not a number.");
    expect(await cli(workspace('ws'), ['hello', '--plugins'])).toMatchObject({ code: 0, stdout: 'local-fs,hello,broken\n' });
  });

  it('is listed by --help with its summary, without importing its module', async () => {
    const help = await cli(workspace('ws'), ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/\n\s+hello\s+say hello to someone\n/);
    expect(help.stdout).toMatch(/\n\s+broken\s+a command whose module throws when imported\n/);
    // Other commands do not import it either.
    expect(await cli(workspace('ws'), ['hello', 'Ada'])).toMatchObject({ code: 0, stderr: '' });
    // Running it does, and the failure names the plugin.
    const broken = await cli(workspace('ws'), ['broken']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe("error: command 'broken' of plugin 'broken' (@lab/broken/cli.js) failed to load: the broken command module was imported\n");
  });

  it('shows its own help from its description', async () => {
    const help = await cli(workspace('ws'), ['hello', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: bioimageit hello [options] [who]');
    expect(help.stdout).toMatch(/-t, --times <value>\s+how many times \(default: 1\)/);
    expect(help.stdout).toMatch(/-a, --also <name\.\.\.>\s+more people/);
  });

  it('is an error, naming both, when its name is taken by another plugin or a built-in command', async () => {
    expect(await cli(workspace('clash'), ['--help'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "error: command 'hello' of plugin 'other-hello' (@lab/other-hello) is also contributed by plugin 'hello' (@lab/hello): remove one of them from \"plugins\"\n",
    });
    expect(await cli(workspace('builtin-clash'), ['init'])).toEqual({
      code: 1,
      stdout: '',
      stderr: "error: command 'init' of plugin 'bad-init' (@lab/bad-init) is a built-in command of bioimageit: remove the plugin from \"plugins\"\n",
    });
  });

  it('says why a command is unknown when a configured plugin could not be read', async () => {
    const run = await cli(workspace('missing'), ['hello']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: unknown command 'hello'");
    expect(run.stderr).toContain("note: plugin '../plugins/not-there' is not installed");
  });
});

describe('the OMERO commands, contributed by @bioimageit/omero', () => {
  it('are offered outside any workspace and described by the plugin', async () => {
    const dir = workspace('no-workspace');
    await mkdir(dir, { recursive: true });
    expect((await cli(dir, ['--help'])).stdout).toMatch(/\n\s+omero\s+browse, tag and download data on OMERO servers\s+\(OMERO\.web\)\n/);
    const help = await cli(dir, ['omero', '--help']);
    expect(help.code).toBe(0);
    for (const sub of ['login [options] <server>', 'logout [server]', 'ls [uri]', 'tag [options] <uri> [tags...]', 'pull [options] <uri>'])
      expect(help.stdout).toContain(sub);
    expect((await cli(dir, ['omero', 'tag', '--help'])).stdout).toMatch(/-r, --remove <key\.\.\.>\s+keys to remove/);
    const sessionFile = join(dir, 'sessions.json');
    expect(await cli(dir, ['--json', 'omero', 'ls'], { BIOIMAGEIT_OMERO_SESSION_FILE: sessionFile })).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    const logout = await cli(dir, ['omero', 'logout'], { BIOIMAGEIT_OMERO_SESSION_FILE: sessionFile });
    expect(logout).toEqual({ code: 1, stdout: '', stderr: 'error: which server? saved sessions: none\n' });
  });
});
