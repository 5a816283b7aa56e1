import type { ChannelDisplay, Region } from '@bioimageit/core';

/**
 * What to draw of an image: time point, one z-plane or the maximum projection over Z, the
 * channels shown (how each is drawn; see {@link ChannelChoice}), and a region.
 */
export interface PlaneSelection {
  readonly t?: number;
  /** A z index, or `max` for the maximum-intensity projection. */
  readonly z: number | 'max';
  /** Which channels, drawn how (default: all, in their colours, with the windows of the whole stack). */
  readonly channels?: ChannelChoice;
  /** The part of the plane drawn, in full-resolution pixels (default: all). */
  readonly region?: Region;
}

/**
 * Channels to draw: `{ only: c }` shows channel c alone in grey (the single-channel view);
 * `{ list }` shows the channels listed as on, each with its own window and colour where given
 * (else the stack's window and the channel's colour); channels not listed are off.
 */
export type ChannelChoice = { readonly only: number } | { readonly list: readonly ChannelSetting[] };

/** One entry of a channel list: a channel index, whether it is on, and optionally its window and colour. */
export interface ChannelSetting {
  readonly index: number;
  readonly active: boolean;
  readonly start?: number;
  readonly end?: number;
  /** `#rrggbb`. */
  readonly color?: string;
}

/**
 * Parses a channel list as OMERO.web's `render_image` takes it: entries separated by commas, each
 * `[-]N[|start:end][$RRGGBB]` with N the channel's number counted from 1 and `-` turning it off
 * (`1|100:2000$0000FF,-2,3$FF00FF`). Throws RangeError naming the entry that does not parse.
 */
export function parseChannelList(text: string): ChannelSetting[] {
  const settings: ChannelSetting[] = [];
  for (const entry of text.split(',')) {
    const match = /^(-?)(\d{1,4})(?:\|(-?[\d.eE+-]+):(-?[\d.eE+-]+))?(?:\$([0-9a-fA-F]{6}))?$/.exec(entry.trim());
    if (match === null) throw new RangeError(`channels entry '${entry}' is not [-]N[|start:end][$RRGGBB] (N counts from 1)`);
    const index = Number(match[2]) - 1;
    if (index < 0) throw new RangeError(`channels entry '${entry}': channels count from 1`);
    const start = match[3] === undefined ? undefined : Number(match[3]);
    const end = match[4] === undefined ? undefined : Number(match[4]);
    if (start !== undefined && end !== undefined && !(Number.isFinite(start) && Number.isFinite(end) && end > start)) {
      throw new RangeError(`channels entry '${entry}': the window's end must be a number above its start`);
    }
    if (settings.some((s) => s.index === index)) throw new RangeError(`channels entry '${entry}': channel ${index + 1} is listed twice`);
    settings.push({
      index,
      active: match[1] !== '-',
      ...(start !== undefined && { start }),
      ...(end !== undefined && { end }),
      ...(match[5] !== undefined && { color: `#${match[5].toLowerCase()}` }),
    });
  }
  return settings;
}

/** The displays of an image's `count` channels for a choice, over their defaults (stack windows, channel colours). */
export function channelDisplays(choice: ChannelChoice | undefined, defaults: readonly ChannelDisplay[]): ChannelDisplay[] {
  if (choice === undefined) return [...defaults];
  if ('only' in choice) {
    if (choice.only >= defaults.length)
      throw new RangeError(`c=${choice.only} is outside the image (c has ${defaults.length} channels: 0..${defaults.length - 1})`);
    return defaults.map((d, c) => ({ ...d, color: '#ffffff', active: c === choice.only }));
  }
  const shown = defaults.map((d) => ({ ...d, active: false }));
  for (const s of choice.list) {
    if (s.index >= defaults.length)
      throw new RangeError(`channel ${s.index + 1} is outside the image (it has ${defaults.length} channels: 1..${defaults.length})`);
    const d = shown[s.index]!;
    shown[s.index] = { color: s.color ?? d.color, active: s.active, start: s.start ?? d.start, end: s.end ?? d.end };
  }
  return shown;
}
