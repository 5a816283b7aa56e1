import { Writable } from 'node:stream';

/** Where a frame of an attached container's output goes: 1 = stdout, 2 = stderr. */
export type DemuxedStream = 'stdout' | 'stderr';

/** Receives each payload in order; resolves (or returns) once the payload may be dropped. */
export type DemuxSink = (stream: DemuxedStream, payload: Buffer) => void | Promise<void>;

const HEADER = 8;

/**
 * Splits the Engine API's multiplexed stream (attach or logs without a TTY) into stdout and stderr.
 * Each frame is an 8-byte header — stream type (0 stdin, 1 stdout, 2 stderr), three zero bytes, a
 * big-endian uint32 payload size — followed by the payload. Frames may be split across chunks at
 * any byte; payloads are delivered whole (or in pieces as they arrive for large frames) and in
 * order. Back-pressure: the next chunk is read only when the sink's promise settles. Stdin frames
 * (type 0) are counted as stdout, as the docker CLI does. A stream that ends inside a frame
 * delivers what arrived.
 */
export class DockerStreamDemuxer extends Writable {
  private header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private remaining = 0;
  private current: DemuxedStream = 'stdout';

  constructor(private readonly sink: DemuxSink) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const pieces: [DemuxedStream, Buffer][] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining === 0) {
        const take = Math.min(HEADER - this.headerFill, chunk.length - offset);
        chunk.copy(this.header, this.headerFill, offset, offset + take);
        this.headerFill += take;
        offset += take;
        if (this.headerFill < HEADER) break;
        this.headerFill = 0;
        this.current = this.header[0] === 2 ? 'stderr' : 'stdout';
        this.remaining = this.header.readUInt32BE(4);
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - offset);
      pieces.push([this.current, chunk.subarray(offset, offset + take)]);
      this.remaining -= take;
      offset += take;
    }
    this.deliver(pieces).then(() => callback(), callback);
  }

  private async deliver(pieces: [DemuxedStream, Buffer][]): Promise<void> {
    for (const [stream, payload] of pieces) await this.sink(stream, payload);
  }
}
