import { inject, injectable, optional } from 'inversify';
import { readPlane, type DataItem, type ExperimentStore, type PluginError } from '@bioimageit/core';
import { probePngEncoder, type PngEncoder } from './png-encoder.js';
import { renderThumbnail } from './render-thumbnail.js';
import { TaskLimiter } from './task-limiter.js';
import { resolveThumbnailsOptions, ThumbnailsOptions, type ResolvedThumbnailsOptions } from './thumbnails-options.js';

/** Thumbnails drawn before their PNGs are saved together (bounds the PNGs held in memory). */
const SAVE_CHUNK = 64;

/** What one {@link ThumbnailMaker.make} call did. */
export interface ThumbnailReport {
  /** Thumbnails stored. */
  readonly made: number;
  /** Image items whose thumbnail failed (each logged). */
  readonly failed: number;
  /** Items that are no image this plugin can draw, or all of them when thumbnails are off. */
  readonly skipped: number;
}

/**
 * Makes the thumbnail of image items and stores it through their experiment store
 * (`ExperimentStore.saveThumbnail`): localize the item's file, read the maximum projection of its
 * first time point and channel with its format's codec (core's `readPlane`: one z-plane at a time,
 * each read within `maxPixelBytes`), render ({@link renderThumbnail}), encode as PNG, save.
 *
 * Never fails its caller: an item whose thumbnail cannot be made (corrupt file, unsupported
 * pixel type, a store error) is logged as one warning line naming the item, and the rest go on.
 * The PNG encoder (@napi-rs/canvas) is loaded on the first image; when it cannot load, one
 * warning carries a PluginError MISSING_REQUIREMENT with the fix ({@link unavailable}) and
 * thumbnails stay off for the life of the process.
 */
@injectable()
export class ThumbnailMaker {
  /** Why thumbnails are off (the encoder could not load); undefined while they work. */
  unavailable?: PluginError;
  private readonly options: ResolvedThumbnailsOptions;
  private readonly renders: TaskLimiter;
  private readonly pending = new Set<Promise<unknown>>();
  /** `uri#id` of items whose thumbnail is being made now; `uri#dataset` of datasets swept for missing thumbnails. */
  private readonly queued = new Set<string>();
  private readonly swept = new Set<string>();
  private encoder?: Promise<PngEncoder | undefined>;

  constructor(@inject(ThumbnailsOptions) @optional() options?: ThumbnailsOptions) {
    this.options = resolveThumbnailsOptions(options);
    this.renders = new TaskLimiter(this.options.concurrency);
  }

  /** True when `item` may be an image this plugin draws: its format has a pixel reader, and its axes (when known) include Y and X. */
  accepts(item: DataItem): boolean {
    if (this.options.codecs[item.format] === undefined) return false;
    const axes = item.metadata.axes;
    return typeof axes !== 'string' || (axes.includes('Y') && axes.includes('X'));
  }

  /** Starts {@link make} in the background and returns at once; {@link flush} awaits it. */
  enqueue(store: ExperimentStore, items: readonly DataItem[]): void {
    if (this.unavailable !== undefined || !items.some((item) => this.accepts(item))) return;
    this.pend(this.whileQueued(store, items, () => this.make(store, items)));
  }

  /**
   * Once per experiment and dataset in this process, in the background: queues the image items of
   * `dataset` that have no thumbnail and are not queued already — those a process killed before it
   * drew them left without (the kernel taps this when an import or a job commits into the
   * dataset). Items that still cannot be drawn are summed up in one warning line, not one each.
   */
  sweepMissing(store: ExperimentStore, dataset: string): void {
    const key = `${store.uri}#${dataset}`;
    if (this.unavailable !== undefined || this.swept.has(key)) return;
    this.swept.add(key);
    const sweep = async () => {
      const missing = (await store.items(dataset)).filter(
        (item) => item.thumbnail === undefined && this.accepts(item) && !this.queued.has(`${store.uri}#${item.id}`),
      );
      if (missing.length === 0) return;
      const report = await this.whileQueued(store, missing, () => this.make(store, missing, { quiet: true }));
      if (report.failed > 0) {
        this.options.log(
          `warning: thumbnails: ${report.failed} of the ${missing.length} items of ${store.uri} (dataset ${dataset}) left without thumbnail earlier still cannot be drawn`,
        );
      }
    };
    this.pend(
      sweep().catch((error: unknown) => {
        this.options.log(
          `warning: thumbnails: cannot look for items without thumbnail in ${store.uri}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }),
    );
  }

  /** Runs `work` with the keys of `items` in {@link queued} until it ends (so the set holds only work in flight). */
  private async whileQueued<T>(store: ExperimentStore, items: readonly DataItem[], work: () => Promise<T>): Promise<T> {
    const keys = items.map((item) => `${store.uri}#${item.id}`);
    for (const key of keys) this.queued.add(key);
    try {
      return await work();
    } finally {
      for (const key of keys) this.queued.delete(key);
    }
  }

  /** Adds `task` to what {@link flush} awaits until it settles. */
  private pend(task: Promise<unknown>): void {
    const tracked = task.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Resolves once every queued thumbnail is stored or given up, including work queued meanwhile. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Makes and stores the thumbnails of the image items among `items` now. Never rejects; with
   * `quiet`, failures are counted but not logged one by one. Images
   * are drawn in chunks of {@link SAVE_CHUNK}, and a chunk's PNGs are saved together (one store
   * transaction for the chunk in a backend that group-commits) while the next chunk is drawn.
   */
  async make(store: ExperimentStore, items: readonly DataItem[], options: { readonly quiet?: boolean } = {}): Promise<ThumbnailReport> {
    const images = items.filter((item) => this.accepts(item));
    const encoder = images.length === 0 ? undefined : await this.loadEncoder();
    if (encoder === undefined) return { made: 0, failed: 0, skipped: items.length };
    let made = 0;
    let saving: Promise<void> = Promise.resolve();
    for (let at = 0; at < images.length; at += SAVE_CHUNK) {
      const chunk = images.slice(at, at + SAVE_CHUNK);
      const pngs = await Promise.all(chunk.map((item) => this.attempt(store, item, () => this.render(store, item, encoder), options.quiet)));
      await saving;
      saving = Promise.all(
        chunk.map((item, i) => {
          const png = pngs[i];
          return png === undefined ? false : this.attempt(store, item, () => store.saveThumbnail(item.id, png).then(() => true), options.quiet);
        }),
      ).then((saved) => void (made += saved.filter(Boolean).length));
    }
    await saving;
    return { made, failed: images.length - made, skipped: items.length - images.length };
  }

  /** Reads the max projection of the first time point and channel within `maxPixelBytes` (core's readPlane) and draws it. */
  private render(store: ExperimentStore, item: DataItem, encoder: PngEncoder): Promise<Uint8Array> {
    return this.renders.run(async () => {
      const codec = this.options.codecs[item.format];
      if (codec === undefined) throw new Error(`no pixel reader for format '${item.format}'`);
      const plane = await readPlane(codec, await store.localize(item), { t: 0, c: 0, z: 'max' }, this.options.maxPixelBytes);
      return renderThumbnail(plane, encoder, this.options);
    });
  }

  /** Runs one step for one item; a failure becomes a warning naming the item, and undefined. */
  private async attempt<T>(store: ExperimentStore, item: DataItem, step: () => Promise<T>, quiet = false): Promise<T | undefined> {
    try {
      return await step();
    } catch (error) {
      if (quiet) return undefined;
      const why = error instanceof Error ? error.message : String(error);
      this.options.log(`warning: thumbnails: no thumbnail for item '${item.name}' (${item.id}) of ${store.uri}: ${why.split('\n')[0]}`);
      return undefined;
    }
  }

  private loadEncoder(): Promise<PngEncoder | undefined> {
    this.encoder ??= probePngEncoder(this.options.loadEncoder).catch((error: PluginError) => {
      this.unavailable = error;
      this.options.log(`warning: ${error.message}`);
      return undefined;
    });
    return this.encoder;
  }
}
