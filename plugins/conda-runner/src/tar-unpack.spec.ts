import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TarUnpacker } from './tar-unpack.js';
import { tarArchive, type TarEntrySpec } from './test-support/archive-builders.js';

let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bioimageit-tar-unpack-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A fresh `dest` folder next to an `outside` folder, the archive unpacked into dest (all streams, then the links). */
async function unpack(...archives: (readonly TarEntrySpec[])[]): Promise<{ dest: string; outside: string }> {
  const dir = path.join(root, `case-${++counter}`);
  const dest = path.join(dir, 'dest');
  const outside = path.join(dir, 'outside');
  await mkdir(dest, { recursive: true });
  await mkdir(outside);
  const unpacker = new TarUnpacker(dest);
  for (const entries of archives) await unpacker.unpack(Readable.from([tarArchive(entries)]), []);
  await unpacker.finish();
  return { dest, outside };
}

/** Like {@link unpack}, for archives that must fail: the error, and whether anything was written outside dest. */
async function refused(...archives: (readonly TarEntrySpec[])[]): Promise<{ error: Error; outside: string[]; siblings: string[] }> {
  const error = (await unpack(...archives).then(
    () => new Error('unpacked without error'),
    (e: unknown) => e as Error,
  )) as Error;
  const dir = path.join(root, `case-${counter}`);
  return { error, outside: await readdir(path.join(dir, 'outside')), siblings: (await readdir(dir)).sort() };
}

describe('TarUnpacker', () => {
  it('writes files with their content and modes (executable bits kept), folders and hard links', async () => {
    const { dest } = await unpack([
      { path: 'bin', type: 'Directory' },
      { path: 'bin/tool', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      { path: 'share/pkg/data.txt', content: 'data\n' },
      { path: 'share/pkg/same.txt', type: 'Link', linkpath: 'share/pkg/data.txt' },
    ]);
    expect(await readFile(path.join(dest, 'bin/tool'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect((await stat(path.join(dest, 'bin/tool'))).mode & 0o777).toBe(0o755 & ~process.umask());
    expect((await stat(path.join(dest, 'share/pkg/data.txt'))).mode & 0o777).toBe(0o644 & ~process.umask());
    const [data, same] = await Promise.all([stat(path.join(dest, 'share/pkg/data.txt')), stat(path.join(dest, 'share/pkg/same.txt'))]);
    expect(same.ino).toBe(data.ino);
    expect(same.uid).toBe(process.getuid?.());
  });

  it('keeps symbolic links verbatim — chains, links to folders, absolute and climbing targets — without following them', async () => {
    const { dest } = await unpack([
      { path: 'lib/libfoo.so', type: 'SymbolicLink', linkpath: 'libfoo.so.1' },
      { path: 'lib/libfoo.so.1', type: 'SymbolicLink', linkpath: 'libfoo.so.1.2' },
      { path: 'lib/libfoo.so.1.2', content: 'ELF' },
      { path: 'lib64', type: 'SymbolicLink', linkpath: 'lib' },
      { path: 'etc/host', type: 'SymbolicLink', linkpath: '/etc/hostname' },
      { path: 'share/up', type: 'SymbolicLink', linkpath: '../../elsewhere' },
      { path: 'share/again', type: 'Link', linkpath: 'share/up' },
    ]);
    expect(await readlink(path.join(dest, 'lib/libfoo.so'))).toBe('libfoo.so.1');
    expect(await readFile(path.join(dest, 'lib/libfoo.so'), 'utf8')).toBe('ELF');
    expect(await readlink(path.join(dest, 'lib64'))).toBe('lib');
    expect(await readlink(path.join(dest, 'etc/host'))).toBe('/etc/hostname');
    expect(await readlink(path.join(dest, 'share/up'))).toBe('../../elsewhere');
    expect(await readlink(path.join(dest, 'share/again'))).toBe('../../elsewhere');
  });

  it('makes the links of every stream after all of them (a .conda has two tars)', async () => {
    const { dest } = await unpack(
      [{ path: 'info/index.json', content: '{}' }],
      [
        { path: 'bin/python', type: 'SymbolicLink', linkpath: 'python3.11' },
        { path: 'bin/python3.11', content: 'py', mode: 0o755 },
      ],
    );
    expect((await lstat(path.join(dest, 'bin/python'))).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(dest, 'bin/python'), 'utf8')).toBe('py');
  });

  it('refuses an entry that climbs out with .., writing nothing outside', async () => {
    const { error, outside, siblings } = await refused([
      { path: 'ok.txt', content: 'ok' },
      { path: '../outside/escaped.txt', content: 'bad' },
    ]);
    expect(error.message).toBe("unsafe entry '../outside/escaped.txt': TAR_ENTRY_ERROR: path contains '..'");
    expect(outside).toEqual([]);
    expect(siblings).toEqual(['dest', 'outside']);
  });

  it('refuses an absolute entry path', async () => {
    const { error } = await refused([{ path: '/tmp/bioimageit-absolute.txt', content: 'bad' }]);
    expect(error.message).toBe("unsafe entry '/tmp/bioimageit-absolute.txt': TAR_ENTRY_INFO: stripping / from absolute path");
  });

  it('never writes through a link of the archive: a file under a link, a link under a link', async () => {
    const underLink = await refused([
      { path: 'evil', type: 'SymbolicLink', linkpath: '../outside' },
      { path: 'evil/x.txt', content: 'bad' },
    ]);
    expect(underLink.error.message).toBe("symbolic link 'evil' would replace a folder of the archive");
    expect(underLink.outside).toEqual([]);

    const linkUnderLink = await refused([
      { path: 'a', type: 'SymbolicLink', linkpath: '../outside' },
      { path: 'a/b', type: 'SymbolicLink', linkpath: 'x' },
    ]);
    expect(linkUnderLink.error.message).toBe("symbolic link 'a/b' would be made inside 'a', which is not a folder");
    expect(linkUnderLink.outside).toEqual([]);

    const climbingLink = await refused([{ path: '../outside/link', type: 'SymbolicLink', linkpath: '/etc' }]);
    expect(climbingLink.error.message).toBe("unsafe entry '../outside/link': a symbolic link outside the folder unpacked into");
    expect(climbingLink.outside).toEqual([]);
    const absoluteLink = await refused([{ path: '/tmp/bioimageit-absolute-link', type: 'SymbolicLink', linkpath: '/etc' }]);
    expect(absoluteLink.error.message).toBe("unsafe entry '/tmp/bioimageit-absolute-link': a symbolic link outside the folder unpacked into");
  });

  it('refuses device entries and data that is not a tar archive', async () => {
    expect((await refused([{ path: 'dev/null', type: 'CharacterDevice' }])).error.message).toBe(
      "entry 'dev/null': TAR_ENTRY_UNSUPPORTED: unsupported entry type: CharacterDevice",
    );
    const dest = path.join(root, 'not-tar');
    await mkdir(dest);
    await expect(new TarUnpacker(dest).unpack(Readable.from([Buffer.alloc(2048, 'not a tar archive ')]), [])).rejects.toThrow(
      /^not a tar archive, or a damaged one/,
    );
  });

  it('stops when cancelled, with the abort reason', async () => {
    const dest = path.join(root, 'cancelled');
    await mkdir(dest);
    const controller = new AbortController();
    const endless = new Readable({ read() {} });
    endless.push(tarArchive([{ path: 'a.txt', content: 'a' }]).subarray(0, 1024));
    const unpacking = new TarUnpacker(dest).unpack(endless, [], controller.signal);
    controller.abort(new Error('stop'));
    await expect(unpacking).rejects.toThrow();
    expect(controller.signal.aborted).toBe(true);
  });
});
