import type { PhysicalSize } from '../model/data-item.js';

const MICRO = '\u00b5m';
const ALIASES: Readonly<Record<string, string>> = {
  micron: MICRO,
  microns: MICRO,
  micrometer: MICRO,
  micrometre: MICRO,
  um: MICRO,
  '\u03bcm': MICRO,
  '\\u00b5m': MICRO,
  nanometer: 'nm',
  nanometre: 'nm',
  millimeter: 'mm',
  millimetre: 'mm',
  sec: 's',
  second: 's',
  seconds: 's',
  msec: 'ms',
};

/** The canonical spelling of a length or time unit (`micron`, `um`, `\u00B5m` → `µm`). */
export function normalizeUnit(unit: string): string {
  const trimmed = unit.trim();
  return ALIASES[trimmed.toLowerCase()] ?? trimmed;
}

/** The default unit of OME-XML physical sizes. */
export const DEFAULT_LENGTH_UNIT = MICRO;

/** The default unit of OME-XML excitation and emission wavelengths. */
export const DEFAULT_WAVELENGTH_UNIT = 'nm';

/**
 * A physical size from a number and unit, or undefined when the number is missing, not finite
 * or not positive. Values are rounded to 9 significant digits (TIFF rationals carry no more).
 */
export function physicalSize(value: number | undefined, unit: string | undefined, fallbackUnit: string): PhysicalSize | undefined {
  if (value === undefined || !Number.isFinite(value) || value <= 0) return undefined;
  return { value: Number(value.toPrecision(9)), unit: normalizeUnit(unit && unit.trim() !== '' ? unit : fallbackUnit) };
}
