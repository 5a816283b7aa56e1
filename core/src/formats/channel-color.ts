/**
 * Channel colours: OME-XML stores a colour as one signed 32-bit integer holding R, G, B, A (R in
 * the most significant byte); BioImageIT stores `#rrggbb`.
 */

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** True when `color` is `#rrggbb` (either case). */
export function isHexColor(color: string): boolean {
  return HEX_COLOR.test(color);
}

/** `#rrggbb` (lower case) from red, green and blue bytes. */
export function hexColor(red: number, green: number, blue: number): string {
  return '#' + [red, green, blue].map((v) => (v & 0xff).toString(16).padStart(2, '0')).join('');
}

/**
 * `#rrggbb` of an OME `Color` attribute (signed or unsigned 32-bit RGBA integer, alpha dropped),
 * or undefined when the text is not such an integer.
 */
export function colorFromOme(text: string | undefined): string | undefined {
  if (text === undefined || !/^\s*[+-]?\d{1,10}\s*$/.test(text)) return undefined;
  const value = Number(text);
  if (value < -0x8000_0000 || value > 0xffff_ffff) return undefined;
  const rgba = value >>> 0;
  return hexColor(rgba >>> 24, rgba >>> 16, rgba >>> 8);
}

/** The OME `Color` integer (signed, alpha 255) of `#rrggbb`. Throws on any other text. */
export function colorToOme(color: string): number {
  if (!isHexColor(color)) throw new RangeError(`colour ${JSON.stringify(color)} is not #rrggbb`);
  return (parseInt(color.slice(1), 16) * 256 + 0xff) | 0;
}
