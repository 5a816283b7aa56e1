import { hasTiffMagic } from './tiff-tags.js';

/**
 * The format id that a file's first bytes announce: `imagetiff` for `II*\0`, `MM\0*` and the
 * BigTIFF marks `II+\0`, `MM\0+`; undefined otherwise.
 */
export function detectFormatByMagic(bytes: Uint8Array): string | undefined {
  return hasTiffMagic(bytes) ? 'imagetiff' : undefined;
}
