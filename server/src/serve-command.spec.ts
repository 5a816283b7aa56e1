import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXP100, REPO } from './test-support/fixture-workspace.js';

/** The CLI from its sources through tsx (run in the repository root, where tsx finds the decorator settings). */
const TSX_CLI = ['--conditions=source', '--import', 'tsx', join(REPO, 'cli/src/main.ts')];
/** The built CLI (`npm run build`), as a fresh clone runs it. */
const BUILT_CLI = [join(REPO, 'cli/bin/bioimageit.js')];

/** True when the built server and CLI are at least as new as their sources (always after `npm test`'s build). */
function builtIsFresh(): boolean {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce(
      (m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : e.name.endsWith('.ts') ? statSync(join(dir, e.name)).mtimeMs : 0),
      0,
    );
  const built = [join(REPO, 'server/dist/index.js'), join(REPO, 'cli/dist/commands/serve-command.js')];
  if (!built.every(existsSync)) return false;
  return Math.min(...built.map((f) => statSync(f).mtimeMs)) >= Math.max(newest(join(REPO, 'server/src')), newest(join(REPO, 'cli/src')));
}

/** Starts `bioimageit serve ARGS` and resolves once it printed its address. */
function serve(args: string[], cli: readonly string[] = TSX_CLI) {
  const child = spawn(process.execPath, [...cli, 'serve', ...args], {
    cwd: REPO,
    env: { ...process.env, BIOIMAGEIT_WORKSPACE: '', BIOIMAGEIT_SERVE_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const url = /serving \d+ experiments? at (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url !== undefined) resolve(url);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { child, ready, exited, output: () => stdout };
}

/** `bioimageit serve` as a process: a fresh checkout's exp100 shown over HTTP, token handling, Ctrl-C. */
describe('bioimageit serve (process)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bioimageit-serve-'));
    await cp(EXP100, join(dir, 'exp100'), { recursive: true });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('serves exp100 given with -e outside any workspace, and stops on SIGTERM with exit code 0', async () => {
    const server = serve(['--port', '0', '-e', join(dir, 'exp100')]);
    const url = await server.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const experiments = (await (await fetch(`${url}api/experiments`)).json()) as { name: string }[];
    expect(experiments.map((e) => e.name)).toEqual(['exp100']);
    const page = await fetch(url);
    expect(await page.text()).toContain('<title>BioImageIT</title>');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('requires the given token, prints it in the address, and trades it for a cookie', async () => {
    const server = serve(['--port', '0', '--token', 'lab-token-1234', '-e', join(dir, 'exp100')]);
    const url = await server.ready;
    expect(url).toMatch(/\?token=lab-token-1234$/);
    const base = url.replace(/\?token=.*$/, '');
    expect((await fetch(`${base}api/experiments`)).status).toBe(401);
    expect((await fetch(`${base}api/experiments`, { headers: { Authorization: 'Bearer lab-token-1234' } })).status).toBe(200);
    const login = await fetch(url, { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await fetch(`${base}api/experiments`, { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await fetch(`${base}?token=wrong`, { redirect: 'manual' })).status).toBe(401);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  });

  const fresh = builtIsFresh();
  if (!fresh && process.env['CI'] === 'true') throw new Error('CI runs after npm run build: server/dist and cli/dist must be fresh');
  it.skipIf(!fresh)('serves from the built JavaScript as a fresh clone does (after npm run build)', async () => {
    const server = serve(['--port', '0', '-e', join(dir, 'exp100')], BUILT_CLI);
    const url = await server.ready;
    const experiments = (await (await fetch(`${url}api/experiments`)).json()) as { name: string }[];
    expect(experiments.map((e) => e.name)).toEqual(['exp100']);
    expect((await fetch(`${url}js/app.js`)).status).toBe(200);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  });

  it('offers the folders given with --import-root to imports, by name only, and refuses a malformed or missing one', async () => {
    const server = serve(['--port', '0', '-e', join(dir, 'exp100'), '--import-root', `scope=${join(dir, 'exp100', 'data')}`]);
    const url = await server.ready;
    const response = await fetch(`${url}api/import-roots`);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual([{ name: 'scope' }]);
    expect(text).not.toContain(dir);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const malformed = serve(['--port', '0', '-e', join(dir, 'exp100'), '--import-root', join(dir, 'exp100')]);
    await expect(malformed.ready).rejects.toThrow(/--import-root expects NAME=PATH/);
    const missing = serve(['--port', '0', '-e', join(dir, 'exp100'), '--import-root', `gone=${join(dir, 'nowhere')}`]);
    await expect(missing.ready).rejects.toThrow(/import root 'gone': .* is not an existing folder/);
    expect(await missing.exited).not.toBe(0);
  });

  it('rejects a malformed port with a usage error', async () => {
    const server = serve(['--port', 'http']);
    await expect(server.ready).rejects.toThrow(/--port must be a number 0\.\.65535/);
    expect(await server.exited).toBe(2);
  });
});
