import zlib from 'node:zlib';
import { Header, type HeaderData } from 'tar';

/**
 * Two small `.tar.bz2` conda packages named `p-1-0`, as base64, for suites that must run without
 * any system program: `info/index.json` (`{"name":"p","version":"1","build":"0",…}`) and
 * `share/f.txt` holding `first\n` or `second\n` (ustar, mode 0644, mtime 1700000000). Made once
 * with Python's `tarfile` and `bz2.compress(…, 9)`.
 */
export const P_TAR_BZ2 = {
  first:
    'QlpoOTFBWSZTWeD2aAcAAK17iM0QAEBQBf+QIgr3d99KAEAICDAApQSimSZqD1GhoaANAwmnqeoJVNGSeghkxM0TEYjCZBjGQyGg0GjQBoAGhkfNzxiizqACyoiCFDbTUOBhTTITCCCiQyMSlt1RXo7vv3JCaSoxrD27DiYjYohM6gaNAO1bRJEFw2pC260KKB14QkYLLhxRas4CRI+0JON7HCrgW4TmAsozlzdfCSyM9f4baztdAxQ7lDfC/Z3MllmFVWPjqiuUsxo/WaYj82+mPERA/i7kinChIcHs0A4=',
  second:
    'QlpoOTFBWSZTWXqWRrcAAK57iM0QAIBQBfeQIgr/d99KAEAICDAAoBKIJkkeSeo8hqemkekHqeUenqeqGMhkNBoNGgDQANDDGQyGg0GjQBoAGhk/rWsaosVABXoiCFjtBhEGl1rCgQQUSWTUudreP3/FX7xSUGcjcss6dsCguUQhTYOHAHvk4T0U4DHrFmCvOJRSK4yImQ15A6QHDjcg8q63tL/Y02icH7DWDscenhrJmcaJDc2/nYft1N6usX++aW9oURFVa5ztnWaeJ5XFsyurCqeIiB/i7kinChIPUsjW4A==',
} as const;

/** The same tar as `P_TAR_BZ2.first` compressed by the `zstd` program (`zstd -19`, with its content checksum), as base64. */
export const P_TAR_ZST =
  'KLUv/QRo9QQAkogbGWB3DtQ3cp/KZwPnHwQBF99srEJDqABxXAZWpfIx4JF/d9fKrOEhmjZQXWBblIRrnF11ZOEJ03amazKPkrwcNylZaWMscMUJ99RM1vZf2lj12gf7B+++/zuErzie2+Pu3/eQ76RqNGQdpySoZ8oQIDAvbM0GPMDwIJc4VY+pA5FBDqC0elvhfsUDegATgDufkgNOEbQMDxBiykseWDOF';

/** sha256 of the uncompressed tar inside `P_TAR_BZ2.first` and `P_TAR_ZST` (10240 bytes). */
export const P_TAR_SHA256 = '9e8a6e8990754c230fd6e5ca838b0eaa2d9ca1621e4b9b245108e41846d0a0d3';

/** One entry of {@link tarArchive}: a file (with `content`), a folder, or a link (with `linkpath`). */
export interface TarEntrySpec {
  readonly path: string;
  readonly type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice';
  readonly content?: string | Buffer;
  readonly mode?: number;
  readonly linkpath?: string;
}

/**
 * A ustar archive of exactly these entries, paths written as given (`../x` and `/x` included, to
 * test what an extractor refuses). Headers are encoded by the npm `tar` package.
 */
export function tarArchive(entries: readonly TarEntrySpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'File';
    const body = Buffer.from(entry.content ?? '');
    const data: HeaderData = {
      path: entry.path,
      type,
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      size: type === 'File' ? body.length : 0,
      mtime: new Date(1_700_000_000_000),
      uid: 0,
      gid: 0,
      ...(entry.linkpath !== undefined && { linkpath: entry.linkpath }),
    };
    const header = Buffer.alloc(512);
    new Header(data).encode(header, 0);
    blocks.push(header);
    if (type === 'File' && body.length > 0) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/**
 * A valid zstd frame holding `data` uncompressed ("raw" blocks of at most 128 KiB, 128 KiB
 * window, no checksum): what a `.conda` member looks like to a decoder, made without a zstd
 * encoder (Node 20 has none).
 */
export function zstdStored(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  const max = 128 * 1024;
  let at = 0;
  do {
    const size = Math.min(max, data.length - at);
    const last = at + size >= data.length ? 1 : 0;
    const header = last | (size << 3);
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), data.subarray(at, at + size));
    at += size;
  } while (at < data.length);
  return Buffer.concat(parts);
}

/** A zip of stored (uncompressed) members, as a `.conda` archive is: `metadata.json`, `info-<dist>.tar.zst`, `pkg-<dist>.tar.zst`. */
export function condaZip(members: ReadonlyArray<{ readonly name: string; readonly data: Buffer }>): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of members) {
    const fileName = Buffer.from(name);
    const crc = zlib.crc32(data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(0x21, 12); // 1980-01-01
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(data.length, 18);
    head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(fileName.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x21, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    local.push(head, fileName, data);
    central.push(entry, fileName);
    offset += head.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, directory, end]);
}
