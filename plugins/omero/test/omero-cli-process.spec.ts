import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTiff } from '@bioimageit/core';
import { NS_CLIENT } from '../src/storage/omero-model.js';
import { omeroTestBed, TEST_PASSWORD, type OmeroTestBed } from './omero-test-setup.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..', '..', '..');
const TSX_CLI = ['--conditions=source', '--import', 'tsx', path.join(repo, 'cli/src/main.ts')];

let bed: OmeroTestBed;
beforeEach(async () => {
  bed = await omeroTestBed();
});
afterEach(() => bed.cleanup());

/** Runs the `bioimageit` command as its own process (sources through tsx: no decorator metadata). */
function bioimageit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...TSX_CLI, ...args], {
    cwd: repo,
    env: { PATH: process.env['PATH'], HOME: bed.dir, BIOIMAGEIT_WORKSPACE: bed.dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('bioimageit omero, as a process', () => {
  it('logs in, then queries and runs a tool over an OMERO experiment named by its omero:// URI', async () => {
    const { state } = bed.fake;
    const project = state.addProject('Screen', 5, 3);
    const dataset = state.addDataset('plate', 5, 3, project.id);
    for (const [i, name] of ['a.tif', 'b.tif'].entries()) {
      const tiff = Buffer.from(encodeTiff({ data: new Uint8Array(4).fill(i), shape: [2, 2], dtype: 'uint8', axes: 'YX' }));
      const image = state.addImage(dataset.id, name, 3, { name, bytes: tiff });
      state.annotate('image', image.id, { kind: 'MapAnnotationI', ns: NS_CLIENT, ownerId: 3, values: [['Population', `p${i + 1}`]] });
    }
    // The session file and cache come from the workspace config's settings (not the environment):
    // `omero login` must save the session where the kernel's backend (query, run) then finds it.
    await writeFile(
      path.join(bed.dir, 'bioimageit.config.json'),
      JSON.stringify({
        plugins: ['@bioimageit/local-fs', '@bioimageit/omero'],
        tools: { dirs: [path.join(here, 'tools')] },
        settings: { BIOIMAGEIT_OMERO_SESSION_FILE: bed.options.sessionFile, BIOIMAGEIT_OMERO_CACHE: bed.options.cacheDir },
      }),
    );

    const login = await bioimageit(['omero', 'login', bed.fake.url], { BIOIMAGEIT_OMERO_USER: 'ben', BIOIMAGEIT_OMERO_PASSWORD: TEST_PASSWORD });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(`${login.stdout}${login.stderr}`).not.toContain(TEST_PASSWORD);

    const uri = `omero://${bed.server}/project/${project.id}`;
    const query = await bioimageit(['query', '-e', uri, '-w', 'Population=p1'], {});
    expect(query.code, query.stderr).toBe(0);
    expect(query.stdout).toContain('a.tif');
    expect(query.stdout).not.toContain('b.tif');

    const run = await bioimageit(['run', 'test.copy-image', '-e', uri, '-i', 'image=data:Population=p2', '-o', 'copies'], {});
    expect(run.code, run.stderr).toBe(0);
    const ls = await bioimageit(['omero', 'ls', `omero://${bed.server}/project/${project.id}`], {});
    expect(ls.stdout).toMatch(/copies\s+0\s+processed/);
    const session = await readFile(bed.options.sessionFile!, 'utf8');
    expect(session).not.toContain(TEST_PASSWORD);
  });

  it('prints one error line for a wrong password and exits 1', async () => {
    const login = await bioimageit(['omero', 'login', bed.fake.url], { BIOIMAGEIT_OMERO_USER: 'ben', BIOIMAGEIT_OMERO_PASSWORD: 'bad-password-1' });
    expect(login.code).toBe(1);
    expect(login.stderr.trim()).toBe(
      `error: OMERO login to ${bed.fake.url} as ben failed: Connection not available, please check your user name and password.`,
    );
  });
});
