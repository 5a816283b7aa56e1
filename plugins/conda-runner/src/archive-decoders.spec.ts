import { createHash } from 'node:crypto';
import { PassThrough, Readable, type Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bzip2Decompressor, ZstdFrameCheck, zstdDecoder, zstdDecoders, type ZstdDecoder } from './archive-decoders.js';
import { P_TAR_BZ2, P_TAR_SHA256, P_TAR_ZST, zstdStored } from './test-support/archive-builders.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Feeds `bytes` through `decoders` in chunks of `size` bytes (chunk boundaries anywhere) and collects the output. */
async function decode(bytes: Buffer, decoders: Transform | readonly Transform[], size = bytes.length): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  const out = new PassThrough();
  const [collected] = await Promise.all([buffer(out), pipeline([Readable.from(chunks), ...(Array.isArray(decoders) ? decoders : [decoders]), out])]);
  return collected;
}

/** Bytes that do not repeat much (so that a slice or shift would show). */
function pattern(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7919 + (i >> 11)) % 251;
  return bytes;
}

describe('bzip2 decoding (pure JavaScript)', () => {
  const archive = Buffer.from(P_TAR_BZ2.first, 'base64');

  it('decodes what bzip2 wrote, whatever the chunk boundaries', async () => {
    expect(sha256(await decode(archive, bzip2Decompressor()))).toBe(P_TAR_SHA256);
    expect(sha256(await decode(archive, bzip2Decompressor(), 7))).toBe(P_TAR_SHA256);
  });

  it('decodes concatenated streams (as pbzip2 writes) one after the other', async () => {
    const out = await decode(Buffer.concat([archive, archive]), bzip2Decompressor(), 100);
    expect(out.length).toBe(20_480);
    expect(sha256(out.subarray(10_240))).toBe(P_TAR_SHA256);
  });

  it('fails on damaged or truncated data, saying so', async () => {
    const damaged = Buffer.from(archive);
    damaged[120] = (damaged[120] as number) ^ 0xff;
    await expect(decode(damaged, bzip2Decompressor())).rejects.toThrow(/damaged bzip2 data/);
    await expect(decode(archive.subarray(0, 150), bzip2Decompressor())).rejects.toThrow(/damaged bzip2 data/);
  });
});

const decoders: ZstdDecoder[] = ['fzstd', ...(zstdDecoder() === 'node:zlib' ? (['node:zlib'] as const) : [])];

describe('zstd decoding', () => {
  it("uses Node's zlib exactly where it has zstd (Node >= 22.15 / 23.8), else fzstd", () => {
    const native = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
    expect(zstdDecoder()).toBe(native ? 'node:zlib' : 'fzstd');
    if (!native) expect(() => zstdDecoders('node:zlib')).toThrow(`Node ${process.version} has no zstd in zlib`);
  });

  for (const decoder of decoders) {
    it(`${decoder}: decodes what the zstd program wrote (level 19, with checksum), whatever the chunk boundaries`, async () => {
      const frame = Buffer.from(P_TAR_ZST, 'base64');
      expect(sha256(await decode(frame, zstdDecoders(decoder)))).toBe(P_TAR_SHA256);
      expect(sha256(await decode(frame, zstdDecoders(decoder), 5))).toBe(P_TAR_SHA256);
    });

    it(`${decoder}: decodes a frame of several blocks streamed in odd chunks`, async () => {
      const data = pattern(300_000);
      expect((await decode(zstdStored(data), zstdDecoders(decoder), 1_000)).equals(data)).toBe(true);
      expect((await decode(zstdStored(Buffer.alloc(0)), zstdDecoders(decoder))).length).toBe(0);
    });

    it(`${decoder}: fails on a truncated frame, even one cut inside its checksum`, async () => {
      const frame = zstdStored(pattern(200_000));
      await expect(decode(frame.subarray(0, 150_000), zstdDecoders(decoder))).rejects.toThrow(/truncated zstd data/);
      const compressed = Buffer.from(P_TAR_ZST, 'base64');
      await expect(decode(compressed.subarray(0, compressed.length - 2), zstdDecoders(decoder))).rejects.toThrow(/truncated zstd data/);
    });
  }

  // fzstd does not check the content checksum, so it may decode damaged data without error; the
  // package cache checks each archive's sha256 (or md5) before extracting it.
  it.runIf(zstdDecoder() === 'node:zlib')('node:zlib: fails on damaged data (content checksum)', async () => {
    const damaged = Buffer.from(P_TAR_ZST, 'base64');
    damaged[60] = (damaged[60] as number) ^ 0xff;
    await expect(decode(damaged, zstdDecoders('node:zlib'))).rejects.toThrow();
  });
});

describe('ZstdFrameCheck', () => {
  it('passes whole frames through unchanged: several frames, skippable frames, checksums, empty frames', async () => {
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from('abc')]);
    const stream = Buffer.concat([Buffer.from(P_TAR_ZST, 'base64'), skippable, zstdStored(pattern(140_000)), zstdStored(Buffer.alloc(0))]);
    expect((await decode(stream, new ZstdFrameCheck(), 33)).equals(stream)).toBe(true);
    // fzstd decodes every frame; Node 22's zlib stops at the first one ("Unknown frame descriptor"
    // on the next), Node 24's decodes all. A .conda member is one frame.
    expect((await decode(stream, zstdDecoders('fzstd'), 1000)).length).toBe(10_240 + 140_000);
  });

  it('fails when the data ends anywhere inside a frame, and on what is not zstd', async () => {
    const frame = Buffer.from(P_TAR_ZST, 'base64');
    for (let cut = 1; cut < frame.length; cut++) {
      await expect(decode(frame.subarray(0, cut), new ZstdFrameCheck())).rejects.toThrow('truncated zstd data (it ends inside a frame)');
    }
    await expect(decode(Buffer.from(P_TAR_BZ2.first, 'base64'), new ZstdFrameCheck())).rejects.toThrow(/^not zstd data/);
  });
});
