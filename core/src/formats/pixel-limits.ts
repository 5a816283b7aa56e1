import { ConfigError } from '../errors/area-errors.js';

/** The environment variable that sets {@link defaultMaxPixelBytes}. */
export const MAX_PIXEL_BYTES_VARIABLE = 'BIOIMAGEIT_MAX_PIXEL_BYTES';

/** The default limit when the variable is unset: 4 GiB of decoded pixels in one read. */
const DEFAULT_MAX_PIXEL_BYTES = 4 * 2 ** 30;

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * The most bytes of decoded pixels one `readPixels` call may hold when it sets no limit of its
 * own: `BIOIMAGEIT_MAX_PIXEL_BYTES` (bytes, or with a binary suffix `K`, `M`, `G`, `T`: `512M`),
 * else 4 GiB. Throws ConfigError INVALID naming the variable when it is not such a size.
 */
export function defaultMaxPixelBytes(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[MAX_PIXEL_BYTES_VARIABLE];
  if (text === undefined || text.trim() === '') return DEFAULT_MAX_PIXEL_BYTES;
  const size = parseByteSize(text);
  if (size === undefined) {
    throw new ConfigError('INVALID', `${MAX_PIXEL_BYTES_VARIABLE}='${text}' is not a size in bytes (write e.g. 1073741824, 512M or 4G)`, {
      details: { variable: MAX_PIXEL_BYTES_VARIABLE },
    });
  }
  return size;
}

/** `1024`, `64K`, `512M`, `4G`, `1.5G` (binary units, case-insensitive, optional `B`/`iB`) in bytes; undefined when not a positive size. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (match === null) return undefined;
  const bytes = Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** `1.0 GiB`, `256.0 MiB`, `512 bytes`: a byte count for messages. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['TiB', 2 ** 40],
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (bytes >= size) return `${(bytes / size).toFixed(1)} ${unit}`;
  }
  return `${bytes} bytes`;
}
