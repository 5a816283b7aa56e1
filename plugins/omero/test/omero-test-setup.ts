import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OmeroStorageBackend } from '../src/omero-storage-backend.js';
import type { OmeroOptions } from '../src/omero-options.js';
import { FakeOmeroWeb, type FakeOmeroWebOptions } from './fake-omero/fake-omero-web.js';

/** The test stand-in for `omero import` (run with this Node). */
export const FAKE_OMERO_CLI = [process.execPath, path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-omero', 'fake-omero-cli.mjs')] as const;

export const TEST_USER = 'ben';
export const TEST_PASSWORD = 'pw-Zq8!rT4#vL';

/** A started fake OMERO.web with user ben, a temp folder, and a backend wired to both. */
export interface OmeroTestBed {
  readonly fake: FakeOmeroWeb;
  readonly dir: string;
  /** `omero://127.0.0.1:PORT` */
  readonly location: string;
  /** `127.0.0.1:PORT` */
  readonly server: string;
  readonly options: OmeroOptions;
  backend(extra?: Partial<OmeroOptions>): OmeroStorageBackend;
  cleanup(): Promise<void>;
}

export async function omeroTestBed(fakeOptions: FakeOmeroWebOptions = {}, options: Partial<OmeroOptions> = {}): Promise<OmeroTestBed> {
  const fake = new FakeOmeroWeb(fakeOptions);
  fake.addUser({ userName: TEST_USER, password: TEST_PASSWORD });
  const url = await fake.start();
  const dir = await mkdtemp(path.join(tmpdir(), 'bioimageit-omero-'));
  const server = new URL(url).host;
  const base: OmeroOptions = {
    servers: { [server]: url },
    cacheDir: path.join(dir, 'cache'),
    sessionFile: path.join(dir, 'config', 'omero-sessions.json'),
    credentials: async () => ({ username: TEST_USER, password: TEST_PASSWORD }),
    omeroCli: FAKE_OMERO_CLI,
    retry: { baseDelayMs: 1 },
    env: {},
    ...options,
  };
  return {
    fake,
    dir,
    server,
    location: `omero://${server}`,
    options: base,
    backend: (extra = {}) => new OmeroStorageBackend({ ...base, ...extra }),
    cleanup: async () => {
      await fake.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
