import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '@bioimageit/core';
import { Redactor } from '../client/redact.js';
import { OmeroImporter } from './omero-importer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'omero-importer-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A stand-in `omero` that prints `out` on stdout, `err` on stderr and exits with `code`. */
async function fakeOmero(out: string, err = '', code = 0): Promise<string> {
  const file = path.join(dir, 'omero');
  await writeFile(file, `#!/bin/sh\nprintf '%s' '${err}' >&2\nprintf '%s' '${out}'\nexit ${code}\n`);
  await chmod(file, 0o755);
  return file;
}

const target = { host: 'omero.example.org', port: 4064, sessionKey: 'key-0b30ee4a-c0b2', datasetId: 7 };

describe('OmeroImporter', () => {
  it('is found on PATH, or given by BIOIMAGEIT_OMERO_CLI or the options, or disabled', async () => {
    const file = await fakeOmero('Image:1\n');
    const redactor = new Redactor();
    expect((await OmeroImporter.detect(undefined, { PATH: `/nonexistent${path.delimiter}${dir}` }, redactor))?.command).toEqual([file]);
    expect(await OmeroImporter.detect(undefined, { PATH: '/nonexistent' }, redactor)).toBeUndefined();
    expect((await OmeroImporter.detect(undefined, { PATH: '', BIOIMAGEIT_OMERO_CLI: '/opt/omero/bin/omero' }, redactor))?.command).toEqual([
      '/opt/omero/bin/omero',
    ]);
    expect(await OmeroImporter.detect(false, { PATH: dir }, redactor)).toBeUndefined();
  });

  it('reads the new Image ids from what the CLI prints', async () => {
    const importer = new OmeroImporter([await fakeOmero('Imported\nImage:101,102\nOther:5\nImage:103\n')], new Redactor());
    expect(await importer.importFile(target, '/data/a.tif', 'a.tif')).toEqual([101, 102, 103]);
  });

  it('names the file and dataset when the import fails, with the session key removed from what it quotes', async () => {
    const redactor = new Redactor();
    redactor.add(target.sessionKey);
    const importer = new OmeroImporter([await fakeOmero('', `ERROR: session ${target.sessionKey} refused`, 3)], redactor);
    const error = await importer.importFile(target, '/data/a.tif', 'a.tif').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toBe('omero import of /data/a.tif into Dataset 7 failed (exit status 3): ERROR: session *** refused');
  });
});
