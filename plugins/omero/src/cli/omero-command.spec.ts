import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBioImageItError } from '@bioimageit/core';
import { omeroTestBed, TEST_PASSWORD, type OmeroTestBed } from '../../test/omero-test-setup.js';
import { NS_CLIENT } from '../storage/omero-model.js';
import { runCommand } from '../../test/run-command.js';
import { omeroCommand } from './omero-command.js';

let bed: OmeroTestBed;
let out: string[];
let err: string[];

beforeEach(async () => {
  bed = await omeroTestBed();
  out = [];
  err = [];
});
afterEach(() => bed.cleanup());

/** Runs `bioimageit omero ...` in-process; resolves with the error message or undefined. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}, terminal = false): Promise<string | undefined> {
  const { credentials: _ignored, servers: _servers, ...options } = bed.options;
  const prompt = terminal
    ? {}
    : {
        prompt: async (): Promise<string> => {
          throw new Error('no prompt in tests');
        },
      };
  try {
    await runCommand(omeroCommand({ options, ...prompt }), args, { out: (t) => out.push(t), err: (t) => err.push(t), env, cwd: bed.dir });
    return undefined;
  } catch (e) {
    return isBioImageItError(e) ? e.message : String(e);
  }
}

const loginEnv = { BIOIMAGEIT_OMERO_USER: 'ben', BIOIMAGEIT_OMERO_PASSWORD: TEST_PASSWORD };

function seed(): { projectId: number; datasetId: number; images: number[] } {
  const { state } = bed.fake;
  const project = state.addProject('Screen A', 5, 3);
  const dataset = state.addDataset('plate 1', 5, 3, project.id);
  const images = ['w1.tif', 'w2.tif'].map((n) => state.addImage(dataset.id, n, 3, { name: n, bytes: Buffer.from(`pixels of ${n}`) }).id);
  state.annotate('image', images[0]!, { kind: 'MapAnnotationI', ns: NS_CLIENT, ownerId: 3, values: [['Population', 'p1']] });
  state.annotate('image', images[0]!, { kind: 'MapAnnotationI', ns: 'other.tool/ns', ownerId: 3, values: [['keep', 'me']] });
  return { projectId: project.id, datasetId: dataset.id, images };
}

describe('bioimageit omero', () => {
  it('logs in with environment credentials and keeps only the session key, in a 0600 file', async () => {
    expect(await cli(['omero', 'login', bed.fake.url], loginEnv)).toBeUndefined();
    expect(out.join('\n')).toContain(`logged in to ${bed.fake.url} as ben`);
    const file = bed.options.sessionFile!;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { servers: Record<string, { url: string; user: string; sessionKey: string }> };
    expect(saved.servers[bed.server]).toMatchObject({ url: bed.fake.url, user: 'ben' });
    expect(JSON.stringify(saved)).not.toContain(TEST_PASSWORD);
    expect(out.join('\n')).not.toContain(saved.servers[bed.server]!.sessionKey);
    // Later commands join the saved session: no password in their environment.
    seed();
    out = [];
    expect(await cli(['omero', 'ls', `omero://${bed.server}`])).toBeUndefined();
    expect(out.join('\n')).toMatch(/Screen A\s+1\s+omero:\/\//);
    expect(bed.fake.requests.filter((r) => r.path === '/api/v0/login/').length).toBe(2);
  });

  it('asks on the terminal only when there is one; otherwise says which variables to set', async () => {
    const message = await cli(['omero', 'login', bed.fake.url, '-u', 'ben'], {}, true);
    expect(message).toBe(`cannot ask 'Password for ben@${bed.fake.url}:' without a terminal: set BIOIMAGEIT_OMERO_USER and BIOIMAGEIT_OMERO_PASSWORD`);
    expect(bed.fake.count('/api/v0/login/')).toBe(0);
  });

  it('takes a bare host as https, and refuses other schemes', async () => {
    expect(await cli(['omero', 'login', 'ftp://x'], loginEnv)).toBe("'ftp://x' is not an OMERO.web URL (https://host[:port][/prefix]) or omero://host[:port]");
    const message = await cli(['omero', 'login', bed.server], { ...loginEnv });
    expect(message).toContain(`OMERO.web https://${bed.server}: GET /api/ failed`);
  });

  it('lists the saved servers without contacting them', async () => {
    await cli(['omero', 'login', bed.fake.url], loginEnv);
    const before = bed.fake.requests.length;
    out = [];
    await cli(['--json', 'omero', 'ls']);
    expect(JSON.parse(out.join('\n'))).toEqual([{ server: bed.server, url: bed.fake.url, user: 'ben' }]);
    expect(bed.fake.requests.length).toBe(before);
  });

  it('gives one clear error for a wrong password', async () => {
    const message = await cli(['omero', 'login', bed.fake.url], { ...loginEnv, BIOIMAGEIT_OMERO_PASSWORD: 'nope-nope' });
    expect(message).toBe(`OMERO login to ${bed.fake.url} as ben failed: Connection not available, please check your user name and password.`);
    expect(bed.fake.count('/api/v0/login/')).toBe(1);
    await expect(stat(bed.options.sessionFile!)).rejects.toThrow();
  });

  it('lists projects, datasets and images with their tags', async () => {
    const { projectId, datasetId, images } = seed();
    await cli(['omero', 'login', bed.fake.url], loginEnv);
    out = [];
    await cli(['omero', 'ls', `omero://${bed.server}/project/${projectId}`]);
    expect(out.join('\n')).toMatch(new RegExp(`${datasetId}\\s+plate 1\\s+2\\s+-`));
    out = [];
    await cli(['--json', 'omero', 'ls', `omero://${bed.server}/dataset/${datasetId}`]);
    expect(JSON.parse(out.join('\n'))).toEqual([
      { id: images[0], name: 'w1.tif', uri: `omero://${bed.server}/image/${images[0]}`, tags: { Population: 'p1' } },
      { id: images[1], name: 'w2.tif', uri: `omero://${bed.server}/image/${images[1]}`, tags: {} },
    ]);
  });

  it('tags every image of a dataset, editing client maps in place and keeping other namespaces', async () => {
    const { datasetId, images } = seed();
    await cli(['omero', 'login', bed.fake.url], loginEnv);
    expect(await cli(['omero', 'tag', `omero://${bed.server}/dataset/${datasetId}`, 'Population=p2', 'Well=A1'])).toBeUndefined();
    expect(out.at(-1)).toBe(`tagged 2 of 2 image(s) in omero://${bed.server}/dataset/${datasetId}`);
    const maps = (id: number) =>
      bed.fake.state.links.filter((l) => l.parentType === 'image' && l.parentId === id).map((l) => bed.fake.state.annotations.get(l.annId)!);
    expect(maps(images[0]!).map((a) => [a.ns, a.values])).toEqual([
      [
        NS_CLIENT,
        [
          ['Population', 'p2'],
          ['Well', 'A1'],
        ],
      ],
      ['other.tool/ns', [['keep', 'me']]],
    ]);
    expect(maps(images[1]!).map((a) => [a.ns, a.values])).toEqual([
      [
        NS_CLIENT,
        [
          ['Population', 'p2'],
          ['Well', 'A1'],
        ],
      ],
    ]);
    await cli(['omero', 'tag', `omero://${bed.server}/image/${images[0]}`, '-r', 'Population', 'Well']);
    expect(maps(images[0]!).map((a) => a.ns)).toEqual(['other.tool/ns']);
  });

  it('pulls the images of a dataset into a folder', async () => {
    const { datasetId, images } = seed();
    await cli(['omero', 'login', bed.fake.url], loginEnv);
    expect(await cli(['omero', 'pull', `omero://${bed.server}/dataset/${datasetId}`, '-o', 'pulled'])).toBeUndefined();
    const dir = path.join(bed.dir, 'pulled');
    expect((await readdir(dir)).sort()).toEqual([`${images[0]}-w1.tif`, `${images[1]}-w2.tif`]);
    expect(await readFile(path.join(dir, `${images[0]}-w1.tif`), 'utf8')).toBe('pixels of w1.tif');
  });

  it('logs out: the server closes the session and the file forgets it', async () => {
    await cli(['omero', 'login', bed.fake.url], loginEnv);
    const key = (JSON.parse(await readFile(bed.options.sessionFile!, 'utf8')) as { servers: Record<string, { sessionKey: string }> }).servers[bed.server]!
      .sessionKey;
    expect(await cli(['omero', 'logout'])).toBeUndefined();
    expect(bed.fake.auth.byKey(key)).toBeUndefined();
    expect(JSON.parse(await readFile(bed.options.sessionFile!, 'utf8'))).toEqual({ servers: {} });
    expect(await cli(['omero', 'ls', `omero://${bed.server}`])).toContain('not logged in to OMERO.web');
  });
});
