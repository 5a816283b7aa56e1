import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { bzip2Decompressor, zstdDecoders } from './archive-decoders.js';
import { TarUnpacker } from './tar-unpack.js';

/** One stored member of a `.conda` archive (a zip): where its bytes are. */
export interface CondaArchiveMember {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Lists the members of a `.conda` archive: a zip whose members (`metadata.json`,
 * `info-<dist>.tar.zst`, `pkg-<dist>.tar.zst`) are stored uncompressed. Reads only the end of the
 * file and the local headers. Throws an Error naming the file when it is not such a zip (a
 * compressed member, ZIP64, a truncated file).
 */
export async function condaArchiveMembers(file: string): Promise<CondaArchiveMember[]> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tailSize = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailSize);
    await handle.read(tail, 0, tailSize, size - tailSize);
    let eocd = -1;
    for (let i = tailSize - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    if (eocd < 0) throw new Error(`${file} is not a .conda archive (no zip directory)`);
    const entries = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    if (dirOffset === 0xffffffff || dirOffset + dirSize > size) throw new Error(`${file}: unsupported or truncated zip directory`);
    const dir = Buffer.alloc(dirSize);
    await handle.read(dir, 0, dirSize, dirOffset);
    const members: CondaArchiveMember[] = [];
    for (let at = 0, n = 0; n < entries; n++) {
      if (dir.readUInt32LE(at) !== CENTRAL) throw new Error(`${file}: damaged zip directory`);
      const method = dir.readUInt16LE(at + 10);
      const compressed = dir.readUInt32LE(at + 20);
      const nameLength = dir.readUInt16LE(at + 28);
      const skip = nameLength + dir.readUInt16LE(at + 30) + dir.readUInt16LE(at + 32);
      const local = dir.readUInt32LE(at + 42);
      const name = dir.toString('utf8', at + 46, at + 46 + nameLength);
      if (method !== 0) throw new Error(`${file}: member ${name} is compressed (method ${method}); .conda members are stored`);
      const header = Buffer.alloc(30);
      await handle.read(header, 0, 30, local);
      if (header.readUInt32LE(0) !== LOCAL) throw new Error(`${file}: damaged zip member ${name}`);
      members.push({ name, offset: local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28), size: compressed });
      at += 46 + skip;
    }
    return members;
  } finally {
    await handle.close();
  }
}

/**
 * Unpacks a `.conda` archive into `dest` (its `info/` and package files), without Python or system
 * programs: the zip directory is read here and each `*.tar.zst` member is streamed from the file
 * through a zstd decoder (Node's, or fzstd on Node < 22.15) into tar (see {@link TarUnpacker}).
 * Throws an Error naming the file, or the damaged data or unsafe entry; `signal`'s abort error when
 * cancelled.
 */
export async function extractCondaArchive(file: string, dest: string, signal?: AbortSignal): Promise<void> {
  const members = (await condaArchiveMembers(file)).filter((m) => m.name.endsWith('.tar.zst'));
  if (!members.some((m) => m.name.startsWith('info-'))) throw new Error(`${file} holds no info-*.tar.zst member`);
  const unpacker = new TarUnpacker(dest);
  for (const member of members) {
    const bytes = createReadStream(file, { start: member.offset, end: member.offset + member.size - 1 });
    await unpacker.unpack(bytes, zstdDecoders(), signal).catch((e: unknown) => {
      throw signal?.aborted === true ? e : new Error(`${member.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    });
  }
  await unpacker.finish();
}

/**
 * Unpacks a `.tar.bz2` conda package into `dest`, streaming the file through a pure-JavaScript
 * bzip2 decoder into tar (see {@link TarUnpacker}); no system program is involved. Throws an Error
 * naming the damaged data or unsafe entry; `signal`'s abort error when cancelled.
 */
export async function extractTarBz2Archive(file: string, dest: string, signal?: AbortSignal): Promise<void> {
  const unpacker = new TarUnpacker(dest);
  await unpacker.unpack(createReadStream(file), [bzip2Decompressor()], signal);
  await unpacker.finish();
}

/**
 * Unpacks either conda package format into `dest`, by its file name (`.conda`, `.tar.bz2`), as
 * {@link extractCondaArchive} and {@link extractTarBz2Archive} do. Throws an Error for any other name.
 */
export function extractPackageArchive(file: string, dest: string, signal?: AbortSignal): Promise<void> {
  if (file.endsWith('.conda')) return extractCondaArchive(file, dest, signal);
  if (file.endsWith('.tar.bz2')) return extractTarBz2Archive(file, dest, signal);
  return Promise.reject(new Error(`${file} is neither a .conda nor a .tar.bz2 conda package`));
}
