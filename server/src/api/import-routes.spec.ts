import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTiff } from '@bioimageit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractClient } from '../test-support/contract-client.js';
import { serveScratchWorkspace, type ScratchWorkspace } from '../test-support/scratch-workspace.js';

const image = (path: string, value: number) => writeTiff(path, { data: new Uint8Array(16 * 16).fill(value), shape: [16, 16], dtype: 'uint8', axes: 'YX' });

/**
 * Imports from server-side folders over REST: by import root name and a path inside it, with the
 * options of `bioimageit import`, reported as events and by GET; nothing outside a root is read,
 * whether by `..`, an absolute path, a linked folder or a linked file.
 */
describe('REST API: imports from import roots', () => {
  let ws: ScratchWorkspace;
  let api: ContractClient;
  let microscope = '';
  let outside = '';
  const exp = () => `/api/experiments/${ws.experimentId}`;
  const itemNames = async () => ((await api.call('GET', `${exp()}/items?limit=200`)).json.items as { name: string }[]).map((i) => i.name).sort();

  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'bioimageit-outside-'));
    await image(join(outside, 'secret.tif'), 99);
    microscope = await mkdtemp(join(tmpdir(), 'bioimageit-microscope-'));
    for (const [folder, file, value] of [
      ['plate1/wellA', 'img_1.tif', 10],
      ['plate1/wellB', 'img_2.tif', 20],
      ['withlink', 'ok.tif', 30],
    ] as const) {
      await mkdir(join(microscope, folder), { recursive: true });
      await image(join(microscope, folder, file), value);
    }
    await writeFile(join(microscope, 'plate1', 'notes.txt'), 'not an image');
    await symlink(outside, join(microscope, 'escape'));
    await symlink(join(outside, 'secret.tif'), join(microscope, 'withlink', 'linked.tif'));
    await symlink(join(microscope, 'plate1', 'wellA', 'img_1.tif'), join(microscope, 'plate1', 'wellB', 'alias.tif'));
    ws = await serveScratchWorkspace('bioimageit-imports-', {
      config: { import: { roots: { 'from-config': 'incoming' } } },
      prepare: async ({ dir }) => {
        await mkdir(join(dir, 'incoming'));
        await image(join(dir, 'incoming', 'configured.tif'), 40);
      },
      serve: () => ({ importRoots: { microscope } }),
    });
    api = new ContractClient(ws.base, ws.server.document);
  }, 60_000);
  afterAll(async () => {
    await ws?.cleanup();
    await rm(outside, { recursive: true, force: true });
    await rm(microscope, { recursive: true, force: true });
  });

  it('lists the import roots by name, from the flag and the workspace config, never their paths', async () => {
    const roots = await api.call('GET', '/api/import-roots');
    expect(roots.json).toEqual([{ name: 'from-config' }, { name: 'microscope' }]);
    expect(Buffer.from(roots.bytes).toString()).not.toContain(microscope);
  });

  it('imports a folder of a root with tags from its folders, answers 202 at once and reports progress as events', async () => {
    const started = await api.call('POST', `${exp()}/imports`, {
      root: 'microscope',
      path: 'plate1',
      recursive: true,
      folderKeys: ['Well'],
      tags: { Source: 'rest' },
    });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ root: 'microscope', path: 'plate1', status: 'running', mode: 'copy' });
    const events = await api.events(`/api/events?experiment=${ws.experimentId}`, (seen) =>
      seen.some((e) => e.type === 'import' && e.data.id === started.json.id && e.data.status !== 'running'),
    );
    const last = events.filter((e) => e.type === 'import' && e.data.id === started.json.id).at(-1);
    expect(last?.data).toMatchObject({ status: 'succeeded', imported: 3, total: 3, done: 3, skippedCount: 1 });
    const state = await api.call('GET', `${exp()}/imports/${started.json.id}`);
    expect(state.json).toMatchObject({ status: 'succeeded', imported: 3, failedCount: 0, skipped: [{ path: 'plate1/notes.txt' }] });
    expect(state.json.skipped[0].reason).toContain("'.txt'");
    expect(JSON.stringify(state.json)).not.toContain(microscope);
    const items = (await api.call('GET', `${exp()}/items?limit=200`)).json.items as { name: string; tags: Record<string, string> }[];
    expect(items.map((i) => [i.name, i.tags['Well'], i.tags['Source']]).sort()).toEqual([
      ['alias.tif', 'wellB', 'rest'],
      ['img_1.tif', 'wellA', 'rest'],
      ['img_2.tif', 'wellB', 'rest'],
    ]);
    const list = await api.call('GET', `${exp()}/imports`);
    expect(list.json.map((i: { id: string }) => i.id)).toEqual([started.json.id]);
    expect((await api.call('POST', `${exp()}/imports/${started.json.id}/cancel`)).status).toBe(409);
  });

  it('imports one file by reference from a root of the workspace config', async () => {
    const started = await api.call('POST', `${exp()}/imports`, { root: 'from-config', path: 'configured.tif', mode: 'reference' });
    expect(started.status).toBe(202);
    const done = await ws.server.context.imports.settled(started.json.id);
    expect(done).toMatchObject({ status: 'succeeded', imported: 1, mode: 'reference', path: 'configured.tif' });
    const item = ((await api.call('GET', `${exp()}/items?where=${encodeURIComponent('name=configured.tif')}`)).json.items as { id: string }[])[0];
    expect(item).toBeDefined();
    const [stored] = await ws.kernel.query(ws.store, 'name=configured.tif');
    expect(stored?.dataUri).toContain('/incoming/configured.tif');
  });

  it('refuses what leaves a root, naming the culprit, and imports nothing then', async () => {
    const before = await itemNames();
    const refuse = async (body: Record<string, unknown>, status: number, text: string) => {
      const response = await api.call('POST', `${exp()}/imports`, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.json.error.message, JSON.stringify(body)).toContain(text);
      expect(response.json.error.message).not.toContain(outside);
      expect(response.json.error.message).not.toContain(microscope);
    };
    await refuse({ root: 'microscope', path: '../' }, 403, "'..' is not allowed");
    await refuse({ root: 'microscope', path: 'plate1/../../etc' }, 403, "'..' is not allowed");
    await refuse({ root: 'microscope', path: outside }, 400, 'must be relative');
    await refuse({ root: 'microscope', path: 'escape' }, 403, "symbolic link 'escape'");
    await refuse({ root: 'microscope', path: 'escape/secret.tif' }, 403, "symbolic link 'escape'");
    await refuse({ root: 'microscope', path: 'withlink' }, 403, "file 'withlink/linked.tif'");
    await refuse({ root: 'microscope', path: 'withlink/linked.tif' }, 403, "symbolic link 'withlink/linked.tif'");
    await refuse({ root: 'elsewhere', path: '' }, 400, "no import root 'elsewhere' (import roots: from-config, microscope)");
    await refuse({ root: 'microscope', path: 'plate9' }, 404, "no file or folder 'plate9' in import root 'microscope'");
    await refuse({ root: 'microscope', path: 'plate1', regex: '(' }, 400, 'invalid file filter');
    await refuse({ root: 'microscope', path: 'plate1', tagRegex: ['plain'] }, 400, 'has no named group');
    await refuse({ root: 'microscope', path: 'plate1', format: 'nosuchformat' }, 400, "unknown format 'nosuchformat'");
    await refuse({ root: 'microscope', path: 'plate1', source: '/etc' }, 400, 'body.source');
    expect(await itemNames()).toEqual(before);
    expect(before).not.toContain('secret.tif');
    expect(ws.server.context.imports.list(ws.experimentId).every((i) => i.status !== 'running')).toBe(true);
  });
});
