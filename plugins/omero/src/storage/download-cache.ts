import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Local copies of OMERO data, one folder per key (`<server>/image-<id>-<version>`), filled once:
 * a download goes to a temporary file renamed into place when complete, so a reader never sees a
 * half-written file and a crashed download leaves nothing behind but its temp file. Concurrent
 * requests for one key in this process share one download.
 */
export class DownloadCache {
  private readonly inflight = new Map<string, Promise<string>>();
  /** Files whose content was checked against a recorded sha256 in this process. */
  readonly verified = new Set<string>();

  constructor(readonly root: string) {}

  private dirOf(key: string): string {
    return path.join(this.root, ...key.split('/').map((k) => k.replace(/[^\w.:-]/g, '_')));
  }

  /** The complete file cached under `key`, whatever its name, if there is one. */
  async find(key: string): Promise<string | undefined> {
    const names = await readdir(this.dirOf(key)).catch(() => [] as string[]);
    const name = names.find((n) => !n.startsWith('.'));
    return name === undefined ? undefined : path.join(this.dirOf(key), name);
  }

  /** Path of the cached `name` under `key`, downloading it with `download(tempFile)` when absent. */
  get(key: string, name: string, download: (file: string) => Promise<unknown>): Promise<string> {
    const safeName = name.replace(/[\\/]/g, '_').replaceAll('\0', '_') || 'data';
    const dir = this.dirOf(key);
    const file = path.join(dir, safeName);
    const id = file;
    const existing = this.inflight.get(id);
    if (existing) return existing;
    const job = (async () => {
      if (
        await stat(file).then(
          (s) => s.isFile(),
          () => false,
        )
      )
        return file;
      await mkdir(dir, { recursive: true });
      const temp = path.join(dir, `.${randomUUID()}.part`);
      try {
        await download(temp);
        await rename(temp, file);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      return file;
    })().finally(() => this.inflight.delete(id));
    this.inflight.set(id, job);
    return job;
  }
}
