import type { RgbaImage } from '@bioimageit/core';
import { debianPython, skipWithout } from '@bioimageit/core/testing';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeApng } from './apng.js';

const W = 37;
const H = 23;

/** Frames mixing smooth gradients, edges and noise, so that every filter type gets chosen somewhere. */
function frames(count: number, alpha = false): RgbaImage[] {
  let seed = 12345;
  const noise = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  return Array.from({ length: count }, (_, t) => {
    const rgba = new Uint8ClampedArray(W * H * 4);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = (y * W + x) * 4;
        rgba[o] = (x * 7 + t * 40) & 0xff;
        rgba[o + 1] = y < 8 ? y * 11 : noise();
        rgba[o + 2] = (x + y) % 5 === t % 5 ? 255 : (x * y) & 0xff;
        rgba[o + 3] = alpha ? (x * 9 + y) & 0xff : 255;
      }
    }
    return { width: W, height: H, rgba };
  });
}

interface Chunk {
  readonly type: string;
  readonly data: Uint8Array;
}

/** The chunks of a PNG, each CRC checked. */
function chunks(png: Uint8Array): Chunk[] {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Chunk[] = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    expect(view.getUint32(at + 8 + length), `CRC of ${type}`).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    out.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

/** Inflates and unfilters one frame's scanlines back to RGBA (the reference decoder of this spec). */
function unfilter(compressed: Uint8Array, channels: number): { rgba: Uint8ClampedArray; filters: Set<number> } {
  const raw = inflateSync(compressed);
  const stride = W * channels;
  const rows = new Uint8Array(stride * H);
  const filters = new Set<number>();
  for (let y = 0; y < H; y++) {
    const type = raw[y * (stride + 1)]!;
    filters.add(type);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? rows[y * stride + i - channels]! : 0;
      const b = y > 0 ? rows[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? rows[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][type]!;
      rows[y * stride + i] = (raw[y * (stride + 1) + 1 + i]! + predictor) & 0xff;
    }
  }
  const rgba = new Uint8ClampedArray(W * H * 4);
  for (let p = 0; p < W * H; p++) {
    for (let s = 0; s < 3; s++) rgba[p * 4 + s] = rows[p * channels + s]!;
    rgba[p * 4 + 3] = channels === 4 ? rows[p * 4 + 3]! : 255;
  }
  return { rgba, filters };
}

describe('encodeApng', () => {
  it('writes IHDR, acTL, then fcTL + IDAT / fdAT per frame with consecutive sequence numbers, and IEND', () => {
    const input = frames(4);
    const png = encodeApng(input, { delayMs: 120, loop: 3 });
    const list = chunks(png);
    expect(list.map((c) => c.type)).toEqual(['IHDR', 'acTL', 'fcTL', 'IDAT', 'fcTL', 'fdAT', 'fcTL', 'fdAT', 'fcTL', 'fdAT', 'IEND']);
    const dv = (c: Chunk) => new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
    const ihdr = dv(list[0]!);
    expect([ihdr.getUint32(0), ihdr.getUint32(4), list[0]!.data[8], list[0]!.data[9]]).toEqual([W, H, 8, 2]);
    expect([dv(list[1]!).getUint32(0), dv(list[1]!).getUint32(4)]).toEqual([4, 3]);
    const sequences = list.filter((c) => c.type === 'fcTL' || c.type === 'fdAT').map((c) => dv(c).getUint32(0));
    expect(sequences).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const fctl of list.filter((c) => c.type === 'fcTL')) {
      const v = dv(fctl);
      expect([v.getUint32(4), v.getUint32(8), v.getUint32(12), v.getUint32(16), v.getUint16(20), v.getUint16(22), fctl.data[24], fctl.data[25]]).toEqual([
        W,
        H,
        0,
        0,
        120,
        1000,
        0,
        0,
      ]);
    }
  });

  it('round-trips every frame through inflate and unfiltering, choosing filters row by row', () => {
    const input = frames(3);
    const list = chunks(encodeApng(input, { delayMs: 40 }));
    const data = list.filter((c) => c.type === 'IDAT' || c.type === 'fdAT').map((c) => (c.type === 'IDAT' ? c.data : c.data.subarray(4)));
    const used = new Set<number>();
    data.forEach((d, t) => {
      const { rgba, filters } = unfilter(d, 3);
      expect(Buffer.from(rgba).equals(Buffer.from(input[t]!.rgba)), `frame ${t}`).toBe(true);
      for (const f of filters) used.add(f);
    });
    expect(used.size).toBeGreaterThan(1);
  });

  it('keeps alpha (colour type 6) when a frame is not opaque', () => {
    const input = frames(2, true);
    const list = chunks(encodeApng(input, { delayMs: 40 }));
    expect(list[0]!.data[9]).toBe(6);
    const { rgba } = unfilter(list.find((c) => c.type === 'fdAT')!.data.subarray(4), 4);
    expect(Buffer.from(rgba).equals(Buffer.from(input[1]!.rgba))).toBe(true);
  });

  it('stores long delays in hundredths of a second', () => {
    const list = chunks(encodeApng(frames(1), { delayMs: 100_000 }));
    const fctl = list.find((c) => c.type === 'fcTL')!;
    const v = new DataView(fctl.data.buffer, fctl.data.byteOffset);
    expect([v.getUint16(20), v.getUint16(22)]).toEqual([10_000, 100]);
  });

  it('rejects no frames, frames of different sizes and bad options', () => {
    expect(() => encodeApng([], { delayMs: 10 })).toThrow(/at least one frame/);
    expect(() => encodeApng([frames(1)[0]!, { width: 2, height: 2, rgba: new Uint8ClampedArray(16) }], { delayMs: 10 })).toThrow(/frame 1 is 2×2/);
    expect(() => encodeApng([{ width: 2, height: 2, rgba: new Uint8ClampedArray(15) }], { delayMs: 10 })).toThrow(RangeError);
    expect(() => encodeApng(frames(1), { delayMs: -1 })).toThrow(/delay/);
    expect(() => encodeApng(frames(1), { delayMs: 10, loop: 1.5 })).toThrow(/loop/);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'bioimageit-apng-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pil = debianPython(['PIL']);
const skipPil = skipWithout('python', pil.why && `${pil.why}; apt-get install python3-pil`, import.meta.url);

/** Prints, as JSON, what Pillow reads from an APNG: frame count, loop, durations, each frame's pixels (base64). */
const PIL_READ = `
import base64, json, sys
from PIL import Image
im = Image.open(sys.argv[1])
out = {'format': im.format, 'n_frames': im.n_frames, 'animated': im.is_animated, 'loop': im.info.get('loop'), 'size': list(im.size), 'frames': [], 'durations': []}
for i in range(im.n_frames):
    im.seek(i)
    out['durations'].append(im.info.get('duration'))
    out['frames'].append(base64.b64encode(im.convert(sys.argv[2]).tobytes()).decode())
print(json.dumps(out))
`;

describe.skipIf(skipPil)('encodeApng read back by Pillow (Debian python3-pil)', () => {
  for (const alpha of [false, true]) {
    it(`gives Pillow every ${alpha ? 'RGBA' : 'RGB'} frame, pixel for pixel, with delay and loop`, () => {
      const input = frames(5, alpha);
      const file = join(dir, `pil-${alpha}.png`);
      writeFileSync(file, encodeApng(input, { delayMs: 80, loop: 2 }));
      const read = JSON.parse(execFileSync(pil.python!, ['-c', PIL_READ, file, alpha ? 'RGBA' : 'RGB'], { encoding: 'utf8' })) as {
        format: string;
        n_frames: number;
        animated: boolean;
        loop: number;
        size: number[];
        frames: string[];
        durations: number[];
      };
      expect(read).toMatchObject({ format: 'PNG', n_frames: 5, animated: true, loop: 2, size: [W, H] });
      expect(read.durations).toEqual([80, 80, 80, 80, 80]);
      read.frames.forEach((b64, t) => {
        const bytes = Buffer.from(b64, 'base64');
        const rgba = input[t]!.rgba;
        const expected = alpha ? Buffer.from(rgba) : Buffer.from(rgba.filter((_, i) => i % 4 !== 3));
        expect(bytes.equals(expected), `frame ${t}`).toBe(true);
      });
    });
  }
});

const ffprobeFound = spawnSync('ffprobe', ['-version'], { encoding: 'utf8' }).status === 0 && spawnSync('ffmpeg', ['-version']).status === 0;
const skipFfmpeg = skipWithout('ffmpeg', ffprobeFound ? undefined : 'ffprobe or ffmpeg is not on PATH (apt-get install ffmpeg)', import.meta.url);

describe.skipIf(skipFfmpeg)('encodeApng read back by FFmpeg', () => {
  it('is an apng stream whose every frame ffprobe counts and ffmpeg decodes to the same pixels', () => {
    const input = frames(6);
    const file = join(dir, 'ffmpeg.png');
    writeFileSync(file, encodeApng(input, { delayMs: 50 }));
    const probe = JSON.parse(
      execFileSync(
        'ffprobe',
        ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file],
        { encoding: 'utf8' },
      ),
    ) as { streams: { codec_name: string; width: number; height: number; nb_read_frames: string }[] };
    expect(probe.streams[0]).toEqual({ codec_name: 'apng', width: W, height: H, nb_read_frames: '6' });
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
      maxBuffer: 1 << 26,
    });
    expect(raw.length).toBe(6 * W * H * 3);
    input.forEach((frame, t) => {
      const expected = Buffer.from(frame.rgba.filter((_, i) => i % 4 !== 3));
      expect(raw.subarray(t * W * H * 3, (t + 1) * W * H * 3).equals(expected), `frame ${t}`).toBe(true);
    });
  });
});
