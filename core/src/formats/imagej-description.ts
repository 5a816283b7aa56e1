/** The hyperstack fields of an ImageJ ImageDescription (`ImageJ=1.53t\nimages=24\nslices=3...`). */
export interface ImageJDescription {
  readonly images: number | undefined;
  readonly channels: number;
  readonly slices: number;
  readonly frames: number;
  /** Z step in `unit`. */
  readonly spacing: number | undefined;
  /** Length unit of the resolution tags and spacing (`micron`, `\u00B5m`, `nm`, ...). */
  readonly unit: string | undefined;
  /** Frame interval, in `tunit` (seconds by default). */
  readonly finterval: number | undefined;
  readonly tunit: string | undefined;
}

/** True when an ImageDescription was written by ImageJ / Fiji (or in its convention). */
export function isImageJDescription(description: string): boolean {
  return description.startsWith('ImageJ=');
}

/**
 * Reads the `key=value` lines of an ImageJ ImageDescription. Missing channel/slice/frame counts
 * are 1; unparsable numbers count as missing.
 */
export function parseImageJDescription(description: string): ImageJDescription {
  const fields = new Map<string, string>();
  for (const line of description.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const count = (key: string): number | undefined => {
    const v = Number(fields.get(key));
    return Number.isInteger(v) && v > 0 ? v : undefined;
  };
  const real = (key: string): number | undefined => {
    const v = Number(fields.get(key));
    return fields.has(key) && Number.isFinite(v) && v > 0 ? v : undefined;
  };
  return {
    images: count('images'),
    channels: count('channels') ?? 1,
    slices: count('slices') ?? 1,
    frames: count('frames') ?? 1,
    spacing: real('spacing'),
    unit: fields.get('unit'),
    finterval: real('finterval'),
    tunit: fields.get('tunit'),
  };
}
