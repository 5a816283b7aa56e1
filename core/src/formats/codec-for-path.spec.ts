import { describe, expect, it } from 'vitest';
import type { FormatCodec } from '../extension-points/format-codec.js';
import { builtinFormatCodecs } from './builtin-format-codecs.js';
import { codecForPath } from './codec-for-path.js';
import { detectFormatByMagic } from './detect-format-by-magic.js';

const fake = (id: string, extensions: string[]): FormatCodec => ({ id, extensions, title: id, readMetadata: async () => ({}) });

describe('codecForPath', () => {
  const codecs = builtinFormatCodecs();

  it('ships TIFF, PNG, JPEG and CSV codecs with v1 ids', () => {
    expect(codecs.map((c) => c.id)).toEqual(['imagetiff', 'imagepng', 'imagejpeg', 'tablecsv']);
    expect(codecs[0]!.extensions).toEqual(['.ome.tiff', '.ome.tif', '.tiff', '.tif']);
    expect(typeof codecs[0]!.readPixels).toBe('function');
    expect(typeof codecs[0]!.writePixels).toBe('function');
  });

  it('matches case-insensitively on the file name', () => {
    expect(codecForPath(codecs, '/data/A.TIF')?.id).toBe('imagetiff');
    expect(codecForPath(codecs, 'C:\\data\\cells.Ome.Tiff')?.id).toBe('imagetiff');
    expect(codecForPath(codecs, 'table.csv')?.id).toBe('tablecsv');
    expect(codecForPath(codecs, 'notes.txt')).toBeUndefined();
    expect(codecForPath(codecs, '/data/.tif')).toBeUndefined();
    expect(codecForPath(codecs, '/data.tif/readme')).toBeUndefined();
  });

  it('lets the longest extension win whatever the codec order', () => {
    const plain = fake('plain', ['.tif']);
    const ome = fake('ome', ['.ome.tif']);
    expect(codecForPath([plain, ome], 'x.ome.tif')?.id).toBe('ome');
    expect(codecForPath([ome, plain], 'x.ome.tif')?.id).toBe('ome');
    expect(codecForPath([ome, plain], 'x.tif')?.id).toBe('plain');
  });
});

describe('detectFormatByMagic', () => {
  it('knows classic and BigTIFF in both byte orders', () => {
    expect(detectFormatByMagic(Uint8Array.of(0x49, 0x49, 42, 0, 8))).toBe('imagetiff');
    expect(detectFormatByMagic(Uint8Array.of(0x4d, 0x4d, 0, 42))).toBe('imagetiff');
    expect(detectFormatByMagic(Uint8Array.of(0x49, 0x49, 43, 0))).toBe('imagetiff');
    expect(detectFormatByMagic(Uint8Array.of(0x4d, 0x4d, 0, 43))).toBe('imagetiff');
  });

  it('answers undefined for anything else', () => {
    expect(detectFormatByMagic(Uint8Array.of(0x49, 0x49, 0, 42))).toBeUndefined();
    expect(detectFormatByMagic(new TextEncoder().encode('a,b\n'))).toBeUndefined();
    expect(detectFormatByMagic(Uint8Array.of(0x49, 0x49))).toBeUndefined();
  });
});
