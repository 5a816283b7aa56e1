import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import unbzip2Stream from 'unbzip2-stream';

/** Which zstd decoder {@link zstdDecoders} uses here: Node's own (zlib, Node ≥ 22.15 / 23.8) or fzstd (pure JavaScript). */
export type ZstdDecoder = 'node:zlib' | 'fzstd';

type ZstdZlib = typeof zlib & { createZstdDecompress?: () => Transform };

/** The zstd decoder of this Node: its zlib's when it has one, else fzstd. */
export function zstdDecoder(): ZstdDecoder {
  return typeof (zlib as ZstdZlib).createZstdDecompress === 'function' ? 'node:zlib' : 'fzstd';
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** fzstd's streaming decoder as a Node Transform (each decoded block copied: fzstd reuses its window). */
class FzstdDecompress extends Transform {
  private readonly decoder = new Decompress((chunk) => {
    if (chunk.length > 0) this.push(Buffer.from(chunk));
  });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.decoder.push(chunk);
      done();
    } catch (e) {
      done(new Error(`damaged zstd data (${message(e)})`));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      done();
    } catch (e) {
      done(new Error(`damaged or truncated zstd data (${message(e)})`));
    }
  }
}

const ZSTD_MAGIC = 0xfd2fb528;
/** Header bytes read at each step of {@link ZstdFrameCheck}. */
const HEADER_SIZE = { magic: 4, skippable: 4, descriptor: 1, block: 3 } as const;

/**
 * Passes zstd data through unchanged, following its frame and block headers (without decoding),
 * and fails when the data ends inside a frame. Node 22's zlib decodes a truncated frame without
 * any error (checked on 22.23; Node 24 reports "unexpected end of file"), which would let a cut
 * archive unpack in part; this check makes truncation an error whatever the Node version.
 */
export class ZstdFrameCheck extends Transform {
  private step: keyof typeof HEADER_SIZE = 'magic';
  private readonly header: number[] = [];
  /** Bytes to pass over before the next header: header fields, block contents, checksums. */
  private skip = 0;
  private checksum = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      this.header.push(chunk[at++] as number);
      if (this.header.length < HEADER_SIZE[this.step]) continue;
      const problem = this.advance();
      if (problem !== undefined) return done(new Error(problem));
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.step === 'magic' && this.header.length === 0 && this.skip === 0 ? null : new Error('truncated zstd data (it ends inside a frame)'));
  }

  /** Reads the header just gathered; returns what is wrong with it, if anything. */
  private advance(): string | undefined {
    const [a = 0, b = 0, c = 0, d = 0] = this.header;
    this.header.length = 0;
    switch (this.step) {
      case 'magic': {
        const magic = (a | (b << 8) | (c << 16) | (d << 24)) >>> 0;
        if (magic === ZSTD_MAGIC) this.step = 'descriptor';
        else if (magic >>> 4 === 0x184d2a5) this.step = 'skippable';
        else return `not zstd data (magic number ${magic.toString(16)})`;
        return undefined;
      }
      case 'skippable':
        this.skip = (a | (b << 8) | (c << 16) | (d << 24)) >>> 0;
        this.step = 'magic';
        return undefined;
      case 'descriptor': {
        if ((a & 0x08) !== 0) return 'damaged zstd data (reserved bit set in a frame header)';
        const singleSegment = (a >> 5) & 1;
        this.checksum = (a & 0x04) !== 0;
        this.skip = (singleSegment === 1 ? 0 : 1) + ([0, 1, 2, 4][a & 3] as number) + ([singleSegment, 2, 4, 8][a >> 6] as number);
        this.step = 'block';
        return undefined;
      }
      case 'block': {
        const block = a | (b << 8) | (c << 16);
        const type = (block >> 1) & 3;
        if (type === 3) return 'damaged zstd data (reserved block type)';
        this.skip = type === 1 ? 1 : block >>> 3;
        if ((block & 1) === 1) {
          this.skip += this.checksum ? 4 : 0;
          this.step = 'magic';
        }
        return undefined;
      }
    }
  }
}

/**
 * The streams that decode zstd (one or more frames), in pipeline order, with `decoder`: by default
 * Node's zlib where it has zstd (behind a {@link ZstdFrameCheck}), else fzstd. Memory is bounded by
 * the frame's window (8 MiB for conda's level 19), not by the data; no system program is
 * involved. Throws an Error when `decoder` is `node:zlib` on a Node without zstd. The streams fail
 * on truncated data and (Node's decoder) on damaged data, saying so; fzstd does not check the
 * frame's content checksum (the package cache checks every archive's sha256 or md5 first). Node
 * 22's zlib decodes one frame only (a .conda member is one frame; fzstd and Node 24 take several).
 */
export function zstdDecoders(decoder: ZstdDecoder = zstdDecoder()): Transform[] {
  if (decoder === 'fzstd') return [new FzstdDecompress()];
  const create = (zlib as ZstdZlib).createZstdDecompress;
  if (create === undefined) throw new Error(`Node ${process.version} has no zstd in zlib (Node >= 22.15 or 23.8 has)`);
  return [new ZstdFrameCheck(), create()];
}

/**
 * unbzip2-stream (a classic `through` stream decoding one 100–900 kB block at a time, checking
 * every block's and stream's CRC) as a Node Transform, so that it takes part in backpressure,
 * errors and cancellation like any other stream.
 */
class Bzip2Decompress extends Transform {
  private readonly decoder = unbzip2Stream();
  private failure: Error | undefined;

  constructor() {
    super();
    this.decoder.on('data', (chunk: Buffer) => this.push(chunk));
    this.decoder.on('error', (e: unknown) => (this.failure ??= new Error(`damaged bzip2 data (${message(e)})`)));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.decoder.write(chunk);
    done(this.failure);
  }

  override _flush(done: TransformCallback): void {
    this.decoder.end();
    done(this.failure);
  }
}

/** A stream decoding bzip2 (one or more streams) in pure JavaScript, block by block; no system program is involved. */
export function bzip2Decompressor(): Transform {
  return new Bzip2Decompress();
}
