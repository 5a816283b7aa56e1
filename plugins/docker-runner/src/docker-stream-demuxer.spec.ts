import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DockerStreamDemuxer, type DemuxedStream } from './docker-stream-demuxer.js';
import { streamFrame } from './test-support/stream-frame.js';

async function demux(chunks: Buffer[], slow = false): Promise<Record<DemuxedStream, string>> {
  const out: Record<DemuxedStream, string> = { stdout: '', stderr: '' };
  await pipeline(
    Readable.from(chunks),
    new DockerStreamDemuxer(async (stream, payload) => {
      if (slow) await new Promise((r) => setTimeout(r, 1));
      out[stream] += payload.toString();
    }),
  );
  return out;
}

describe('DockerStreamDemuxer', () => {
  const stream = Buffer.concat([
    streamFrame(1, 'out one\n'),
    streamFrame(2, 'err one\n'),
    streamFrame(1, ''),
    streamFrame(1, 'out two\n'),
    streamFrame(0, 'stdin\n'),
  ]);

  it('splits whole frames into stdout and stderr (stdin frames count as stdout)', async () => {
    expect(await demux([stream])).toEqual({ stdout: 'out one\nout two\nstdin\n', stderr: 'err one\n' });
  });

  it('reassembles frames split at every byte, headers included', async () => {
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(await demux(bytes, true)).toEqual({ stdout: 'out one\nout two\nstdin\n', stderr: 'err one\n' });
  });

  it('handles a payload larger than one chunk and keeps the order within a stream', async () => {
    const big = 'x'.repeat(70_000);
    const whole = Buffer.concat([streamFrame(2, big), streamFrame(1, 'after')]);
    const chunks = [whole.subarray(0, 3), whole.subarray(3, 40_000), whole.subarray(40_000)];
    expect(await demux(chunks)).toEqual({ stdout: 'after', stderr: big });
  });

  it('delivers what arrived when the stream ends inside a frame', async () => {
    const cut = streamFrame(1, 'truncated payload').subarray(0, 8 + 9);
    expect(await demux([cut])).toEqual({ stdout: 'truncated', stderr: '' });
  });
});
