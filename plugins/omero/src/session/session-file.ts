import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '@bioimageit/core';

/** One server's saved session: its OMERO.web URL, the user, and the OMERO session key. Never a password. */
export interface SavedSession {
  readonly url: string;
  readonly user: string;
  readonly sessionKey: string;
}

interface SessionFileContent {
  readonly servers: Readonly<Record<string, SavedSession>>;
}

/**
 * The session file of `bioimageit omero login`: JSON `{servers: {"host:port": {url, user,
 * sessionKey}}}`, mode 0600 in a 0700 folder, written atomically. A file readable by others is
 * refused (INVALID, naming it), as ssh refuses a world-readable key.
 */
export class SessionFile {
  constructor(readonly file: string) {}

  private async read(): Promise<SessionFileContent> {
    let text: string;
    try {
      const info = await stat(this.file);
      if ((info.mode & 0o077) !== 0) {
        throw new StorageError(
          'INVALID',
          `OMERO session file ${this.file} is readable by others (mode ${(info.mode & 0o777).toString(8)}); run 'chmod 600 ${this.file}' or log in again`,
          { details: { file: this.file } },
        );
      }
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {} };
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Partial<SessionFileContent>;
      return { servers: parsed.servers ?? {} };
    } catch {
      throw new StorageError('CORRUPT', `OMERO session file ${this.file} is not valid JSON; delete it and log in again`, { details: { file: this.file } });
    }
  }

  /** The saved session of `server` (`host[:port]`), if any. */
  async get(server: string): Promise<SavedSession | undefined> {
    return (await this.read()).servers[server];
  }

  /** Every saved session, by server. */
  async all(): Promise<Readonly<Record<string, SavedSession>>> {
    return (await this.read()).servers;
  }

  /** Saves (or with `undefined`, forgets) the session of `server`. */
  async set(server: string, session: SavedSession | undefined): Promise<void> {
    const servers: Record<string, SavedSession> = { ...(await this.read()).servers };
    if (session === undefined) delete servers[server];
    else servers[server] = session;
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = path.join(dir, `.${path.basename(this.file)}.${randomUUID()}`);
    try {
      await writeFile(temp, `${JSON.stringify({ servers }, null, 2)}\n`, { mode: 0o600 });
      await chmod(temp, 0o600);
      await rename(temp, this.file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}
