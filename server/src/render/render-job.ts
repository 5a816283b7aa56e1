import {
  encodePng,
  renderImage,
  stackWindows,
  type ChannelDisplay,
  type ChannelMetadata,
  type ChannelWindow,
  type FormatCodec,
  type FormatMetadata,
  type Region,
} from '@bioimageit/core';

/** A preview to draw: which file, what of it (core's `RenderRequest`), at which size, within which read limit. */
export interface DrawJob {
  readonly kind: 'draw';
  readonly path: string;
  readonly format: string;
  readonly t?: number;
  readonly z: number | 'max';
  /** Displays of every channel; absent: each plane's own percentiles, default colours (thumbnails). */
  readonly channels?: readonly ChannelDisplay[];
  readonly channelMetadata?: readonly ChannelMetadata[];
  readonly region?: Region;
  /** Longest side of the image drawn. */
  readonly size: number;
  /** Decoded bytes one plane read may take (declared sizes are checked before decoding). */
  readonly maxBytes: number;
}

/** The display window of each channel, from the percentiles of its whole stack at time point `t`. */
export interface WindowsJob {
  readonly kind: 'windows';
  readonly path: string;
  readonly format: string;
  readonly t?: number;
  readonly maxBytes: number;
}

/** The file's metadata from its header (codecs that read headers), without decoding pixels. */
export interface HeaderJob {
  readonly kind: 'header';
  readonly path: string;
  readonly format: string;
}

export type RenderJob = DrawJob | WindowsJob | HeaderJob;

/** What a job gives: a PNG with its size, the windows, or the header's metadata. */
export type RenderResult =
  { readonly png: Uint8Array; readonly width: number; readonly height: number } | { readonly windows: ChannelWindow[] } | { readonly meta: FormatMetadata };

/** Runs one job with core's renderer (bounded reads: `readPlane`, one plane per channel shown). */
export async function runRenderJob(codec: FormatCodec, job: RenderJob): Promise<RenderResult> {
  if (job.kind === 'header') {
    if (codec.readFileMetadata === undefined) throw new TypeError(`format '${codec.id}' cannot read headers`);
    return { meta: await codec.readFileMetadata(job.path) };
  }
  if (job.kind === 'windows') {
    return { windows: await stackWindows(codec, job.path, { ...(job.t !== undefined && { t: job.t }), maxBytes: job.maxBytes }) };
  }
  const image = await renderImage(codec, job.path, {
    ...(job.t !== undefined && { t: job.t }),
    z: job.z,
    ...(job.channels !== undefined && { channels: job.channels }),
    ...(job.channelMetadata !== undefined && { channelMetadata: job.channelMetadata }),
    ...(job.region !== undefined && { region: job.region }),
    size: job.size,
    maxBytes: job.maxBytes,
  });
  return { png: encodePng(image), width: image.width, height: image.height };
}
