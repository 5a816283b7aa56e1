import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '@bioimageit/core';
import { SessionFile } from './session-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'omero-session-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('SessionFile', () => {
  it('writes mode 0600 in a 0700 folder, and forgets a server', async () => {
    const file = new SessionFile(path.join(dir, 'conf', 'sessions.json'));
    expect(await file.get('h')).toBeUndefined();
    await file.set('h', { url: 'https://h', user: 'ben', sessionKey: 'k-1' });
    await file.set('g', { url: 'https://g', user: 'amy', sessionKey: 'k-2' });
    expect((await stat(file.file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file.file))).mode & 0o777).toBe(0o700);
    expect(await file.get('h')).toEqual({ url: 'https://h', user: 'ben', sessionKey: 'k-1' });
    await file.set('h', undefined);
    expect(Object.keys(await file.all())).toEqual(['g']);
  });

  it('refuses a file others can read, and names a corrupt one', async () => {
    const p = path.join(dir, 'sessions.json');
    await writeFile(p, '{"servers": {}}');
    await chmod(p, 0o644);
    const error = await new SessionFile(p).get('h').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toContain(`chmod 600 ${p}`);
    await writeFile(p, '{oops');
    await chmod(p, 0o600);
    expect(((await new SessionFile(p).get('h').catch((e: unknown) => e)) as StorageError).code).toBe('CORRUPT');
    expect(await readFile(p, 'utf8')).toBe('{oops');
  });
});
