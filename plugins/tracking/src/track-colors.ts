/** An 8-bit colour: red, green, blue, each 0–255. */
export type Rgb = readonly [number, number, number];

/** The golden angle in degrees: consecutive ids land as far apart on the hue circle as they can. */
const GOLDEN_ANGLE = 137.50776405003785;
/** Hue of track 0 (a warm orange, away from the grey of the image underneath). */
const FIRST_HUE = 30;

/**
 * The colour of a track, deterministic by its id: hues stepped by the golden angle around the HSV
 * circle, at high saturation and full value, so that any handful of neighbouring ids differ
 * clearly (napari's and TrackMate's renderings colour tracks by id in the same spirit). Saturation
 * alternates between two levels every other turn of the circle to tell apart ids whose hues come
 * close again after many steps. Works for any integer id, negative ones included.
 */
export function trackColor(id: number): Rgb {
  const hue = (((FIRST_HUE + id * GOLDEN_ANGLE) % 360) + 360) % 360;
  const turn = Math.floor(Math.abs(id * GOLDEN_ANGLE) / 360);
  const saturation = turn % 2 === 0 ? 0.85 : 0.6;
  return hsvToRgb(hue, saturation, 1);
}

/** HSV (hue in degrees 0–360, saturation and value 0–1) as 8-bit RGB. */
export function hsvToRgb(hue: number, saturation: number, value: number): Rgb {
  const h = (((hue % 360) + 360) % 360) / 60;
  const c = value * saturation;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const m = value - c;
  const sector = Math.floor(h) % 6;
  const [r, g, b] = [
    [c, x, 0],
    [x, c, 0],
    [0, c, x],
    [0, x, c],
    [x, 0, c],
    [c, 0, x],
  ][sector] as [number, number, number];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}
