import type { Stats } from 'node:fs';
import { lstat, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { Writable, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Unpack, type ReadEntry } from 'tar';

/** The prefix-relative parts of an archive path; throws when the path is absolute or climbs out with `..`. */
function entryParts(raw: string): string[] {
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (raw.startsWith('/') || parts.includes('..') || parts.length === 0)
    throw new Error(`unsafe entry '${raw}': a symbolic link outside the folder unpacked into`);
  return parts;
}

/** Why tar stopped, naming the entry (as written in the archive) it was on. */
function tarFailure(e: unknown): Error {
  const error = e instanceof Error ? e : new Error(String(e));
  const data = error as { tarCode?: string; path?: unknown; linkpath?: unknown; entry?: { path?: string } };
  // tar's path checks report the field as written in the archive (before stripping a leading `/`).
  const checked = typeof data.path === 'string' || typeof data.linkpath === 'string';
  const entry = typeof data.path === 'string' ? data.path : data.entry?.path;
  if (entry !== undefined) return new Error(`${checked ? 'unsafe ' : ''}entry '${entry}': ${error.message}`, { cause: error });
  if (data.tarCode === 'TAR_ENTRY_INVALID' || data.tarCode === 'TAR_BAD_ARCHIVE')
    return new Error(`not a tar archive, or a damaged one (${error.message})`, { cause: error });
  return error;
}

/**
 * Unpacks the tar streams of one conda package into a folder, as `tar -x` did, without any
 * system program: files with their modes (less the process umask, as a non-root `tar` does),
 * folders, hard links between files of the archive. The owner is always the current user (never
 * the archive's uid, even as root).
 *
 * Safety: an entry with an absolute path or a `..` component, or of another kind (device, FIFO),
 * fails the whole extraction (tar's `strict` mode), naming it. Symbolic links are kept verbatim
 * (any target, as conda packages need), but they are made only by {@link finish}, once every file
 * is written, and never inside a folder that is itself a link: nothing from the archive is ever
 * written through a link from the archive.
 *
 * Used by the package cache (through `extractPackageArchive`) to fill `<envs>/.pkgs/<dist>`.
 */
export class TarUnpacker {
  /** Symbolic links seen so far, by normalized path: the path as written in the archive, and the target. */
  private readonly links = new Map<string, { readonly raw: string; readonly target: string }>();

  /** @param dest the folder unpacked into (must exist) */
  constructor(readonly dest: string) {}

  /**
   * Streams one tar through `decoders` (in order; none for a plain tar) into the folder
   * (backpressure all the way: memory does not grow with the archive). Rejects with a decoder's or
   * tar's error (naming the entry), or with `signal`'s abort error.
   */
  async unpack(source: Readable, decoders: readonly Transform[], signal?: AbortSignal): Promise<void> {
    await pipeline([source, ...decoders, this.sink()], ...(signal === undefined ? [] : [{ signal }])).catch((e: unknown) => {
      throw signal?.aborted === true ? e : tarFailure(e);
    });
  }

  /** Makes the symbolic links of every stream unpacked. Throws an Error naming a link whose path is unsafe or lies under another link. */
  async finish(): Promise<void> {
    for (const { raw, target } of this.links.values()) {
      const parts = entryParts(raw);
      let dir = this.dest;
      for (const part of parts.slice(0, -1)) {
        dir = path.join(dir, part);
        const info = await lstat(dir).catch(() => undefined);
        if (info === undefined) await mkdir(dir);
        else if (!info.isDirectory()) throw new Error(`symbolic link '${raw}' would be made inside '${path.relative(this.dest, dir)}', which is not a folder`);
      }
      const file = path.join(dir, parts[parts.length - 1] as string);
      if ((await lstat(file).catch(() => undefined))?.isDirectory() === true) throw new Error(`symbolic link '${raw}' would replace a folder of the archive`);
      await rm(file, { force: true });
      await symlink(target, file);
    }
  }

  /**
   * tar's filter: takes symbolic links (and hard links to them) aside for {@link finish}; a later
   * entry of the same path replaces an earlier link, as in tar.
   */
  private keep(raw: string, entry: Stats | ReadEntry): boolean {
    if (!('type' in entry)) return true;
    const key = entryKey(raw);
    if (entry.type === 'SymbolicLink') {
      this.links.set(key, { raw, target: String(entry.linkpath) });
      return false;
    }
    const linked = entry.type === 'Link' ? this.links.get(entryKey(String(entry.linkpath))) : undefined;
    if (linked !== undefined) {
      this.links.set(key, { raw, target: linked.target });
      return false;
    }
    this.links.delete(key);
    return true;
  }

  /** A Writable feeding tar's Unpack: it finishes once every file is on disk, and fails with tar's first error. */
  private sink(): Writable {
    const unpack = new Unpack({ cwd: this.dest, strict: true, preserveOwner: false, filter: (raw, entry) => this.keep(raw, entry) });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (unpack.write(chunk)) done();
        else unpack.once('drain', () => done());
      },
      final(done) {
        unpack.once('close', () => done());
        unpack.end();
      },
    });
    unpack.on('error', (e: unknown) => sink.destroy(e instanceof Error ? e : new Error(String(e))));
    return sink;
  }
}

/** The key of an archive path in the links map (`./a//b` and `a/b` are one entry). */
function entryKey(raw: string): string {
  return raw
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}
