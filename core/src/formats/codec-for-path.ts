import type { FormatCodec } from '../extension-points/format-codec.js';

/**
 * The codec whose extension ends `path` (file name compared case-insensitively); the longest
 * matching extension wins, so `a.ome.tif` picks a codec listing `.ome.tif` over one listing `.tif`.
 * Returns undefined when no codec claims the extension; callers report FormatError `UNKNOWN_FORMAT`.
 */
export function codecForPath(codecs: Iterable<FormatCodec>, path: string): FormatCodec | undefined {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  let best: FormatCodec | undefined;
  let bestLength = 0;
  for (const codec of codecs) {
    for (const extension of codec.extensions) {
      const ext = extension.toLowerCase();
      if (ext.length > bestLength && name.length > ext.length && name.endsWith(ext)) {
        best = codec;
        bestLength = ext.length;
      }
    }
  }
  return best;
}
