import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE } from './kernel-config.js';
import { loadKernelConfig, writeInitialConfig } from './load-config.js';
import { isPackageToolFolder, resolveToolFolders } from './tool-folders.js';

/** The CLI's tools folder in this repository (installed as node_modules/@bioimageit/cli). */
const CLI_TOOLS = realpathSync(join(dirname(fileURLToPath(import.meta.url)), '../../../cli/tools'));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-tool-folders-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('package folders in tools.dirs', () => {
  it('resolves @scope/package/folder to the installed package, from a workspace outside it, and keeps paths as written', () => {
    expect(isPackageToolFolder('@bioimageit/cli/tools')).toBe(true);
    expect(isPackageToolFolder('./@bioimageit/cli/tools')).toBe(false);
    expect(resolveToolFolders(['@bioimageit/cli/tools', 'mine', '/opt/tools'], dir, 'cfg')).toEqual([CLI_TOOLS, 'mine', '/opt/tools']);
  });

  it('finds a package installed in the workspace before one installed beside the kernel', async () => {
    const pkg = join(dir, 'node_modules', '@bioimageit', 'cli');
    await mkdir(join(pkg, 'tools'), { recursive: true });
    await writeFile(join(pkg, 'package.json'), '{"name": "@bioimageit/cli"}');
    expect(resolveToolFolders(['@bioimageit/cli/tools'], dir, 'cfg')).toEqual([join(realpathSync(pkg), 'tools')]);
  });

  it('names the file, the entry and the package when it is not installed or the entry is malformed', () => {
    expect(() => resolveToolFolders(['@nobody/nothing/tools'], dir, '/w/bioimageit.config.json')).toThrow(
      /^\/w\/bioimageit\.config\.json: 'tools\.dirs' entry '@nobody\/nothing\/tools' names package '@nobody\/nothing', which is not installed/,
    );
    expect(() => resolveToolFolders(['@bioimageit'], dir, 'cfg')).toThrow("cfg: 'tools.dirs' entry '@bioimageit' names no package");
    expect(() => resolveToolFolders(['@bioimageit/cli/../../etc'], dir, 'cfg')).toThrow("leaves its package ('..')");
  });

  it('is resolved when the config is loaded, from the file and from BIOIMAGEIT_TOOL_DIRS, as init writes it', async () => {
    await writeInitialConfig(dir, 'ada', { toolDirs: ['@bioimageit/cli/tools'] });
    const written = JSON.parse(await readFile(join(dir, CONFIG_FILE), 'utf8')) as { tools: unknown };
    expect(written.tools).toEqual({ dirs: ['@bioimageit/cli/tools'] });
    expect((await loadKernelConfig({ workspace: dir, env: {} })).tools.dirs).toEqual([CLI_TOOLS]);
    const env = { BIOIMAGEIT_TOOL_DIRS: `tools:@bioimageit/cli/tools` };
    expect((await loadKernelConfig({ workspace: dir, env })).tools.dirs).toEqual(['tools', CLI_TOOLS]);
    await expect(loadKernelConfig({ workspace: dir, env: { BIOIMAGEIT_TOOL_DIRS: '@nobody/x' } })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/^environment \(BIOIMAGEIT_TOOL_DIRS\): 'tools\.dirs' entry '@nobody\/x'/),
    });
  });
});
