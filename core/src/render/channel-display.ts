import type { ChannelMetadata, PhysicalSize } from '../model/data-item.js';

/**
 * How one channel is drawn in a composite: its colour, whether it is shown, and its display
 * window (values at or below `start` are black, at or above `end` full colour, linear between).
 */
export interface ChannelDisplay {
  /** `#rrggbb`. */
  readonly color: string;
  readonly active: boolean;
  readonly start: number;
  readonly end: number;
}

/** A display window and the extremes of the values it was chosen from. */
export interface ChannelWindow {
  readonly start: number;
  readonly end: number;
  readonly min: number;
  readonly max: number;
}

/** Colours given to channels with no colour of their own and no wavelength, in C order (as Fiji's composites). */
export const STANDARD_CHANNEL_COLORS: readonly string[] = ['#ff0000', '#00ff00', '#0000ff', '#ffffff', '#00ffff', '#ff00ff', '#ffff00'];

/**
 * The colour a channel is shown in: its own (OME `Color`, ImageJ LUT); else, for a single-channel
 * image, grey; else from its emission (or excitation) wavelength as OMERO does (below 500 nm blue,
 * up to 560 nm green, above red); else the standard colour of its index.
 */
export function defaultChannelColor(index: number, count: number, channel?: ChannelMetadata): string {
  if (channel?.color !== undefined && /^#[0-9a-f]{6}$/i.test(channel.color)) return channel.color.toLowerCase();
  if (count <= 1) return '#ffffff';
  const nm = nanometres(channel?.emission) ?? nanometres(channel?.excitation);
  if (nm !== undefined) return nm < 500 ? '#0000ff' : nm <= 560 ? '#00ff00' : '#ff0000';
  return STANDARD_CHANNEL_COLORS[index % STANDARD_CHANNEL_COLORS.length] as string;
}

/** `#rrggbb` as three numbers 0–255; throws RangeError naming the text otherwise. */
export function parseHexColor(color: string): readonly [number, number, number] {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (match === null) throw new RangeError(`colour '${color}' is not #rrggbb`);
  return [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)];
}

/** The displays of every channel: each channel's default colour, shown, with its window. */
export function defaultChannelDisplays(windows: readonly ChannelWindow[], channels?: readonly ChannelMetadata[]): ChannelDisplay[] {
  return windows.map((window, c) => ({
    color: defaultChannelColor(c, windows.length, channels?.[c]),
    active: true,
    start: window.start,
    end: window.end,
  }));
}

function nanometres(size: PhysicalSize | undefined): number | undefined {
  if (size === undefined || !Number.isFinite(size.value) || size.value <= 0) return undefined;
  const factor: Record<string, number> = { nm: 1, µm: 1000, um: 1000, Å: 0.1, pm: 0.001 };
  const f = factor[size.unit];
  return f === undefined ? undefined : size.value * f;
}
