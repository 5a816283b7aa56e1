import { inject, injectable, optional } from 'inversify';
import { TaskLimiter, type DataItem, type ExperimentStore, type PluginError } from '@bioimageit/core';
import { probePngEncoder, type PngEncoder } from './png-encoder.js';
import { drawThumbnail } from './render-thumbnail.js';
import { ThumbnailPool } from './thumbnail-pool.js';
import { resolveThumbnailsOptions, ThumbnailsOptions, type ResolvedThumbnailsOptions } from './thumbnails-options.js';

/** Thumbnails saved together: their saves are issued at once, so a backend that group-commits writes them in one transaction. */
const SAVE_CHUNK = 512;

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
 * (`ExperimentStore.saveThumbnail`): localize the item's file, draw the composite of its channels'
 * maximum projections at the first time point ({@link drawThumbnail}: core's renderer, each plane
 * read within `maxPixelBytes`), encode as PNG, save.
 *
 * Never fails its caller: an item whose thumbnail cannot be made (corrupt file, unsupported
 * pixel type, a store error) is logged as one warning line naming the item, and the rest go on.
 * The PNG encoder (core's, unless the options give one) is loaded on the first image; when it cannot load, one
 * warning carries a PluginError MISSING_REQUIREMENT with the fix ({@link unavailable}) and
 * thumbnails stay off for the life of the process.
 */
@injectable()
export class ThumbnailMaker {
  /** Why thumbnails are off (the encoder could not load); undefined while they work. */
  unavailable?: PluginError;
  private readonly options: ResolvedThumbnailsOptions;
  private readonly renders: TaskLimiter;
  /** Worker threads that draw (undefined when `workers` is 0: drawn in this thread). */
  private readonly pool?: ThumbnailPool;
  private readonly pending = new Set<Promise<unknown>>();
  /** `uri#id` of items whose thumbnail is being made now; `uri#dataset` of datasets swept for missing thumbnails. */
  private readonly queued = new Set<string>();
  private readonly swept = new Set<string>();
  private encoder?: Promise<PngEncoder | undefined>;
  /** Drawn PNGs waiting to be saved, by store, and their bytes (see {@link enqueue}). */
  private readonly held = new Map<ExperimentStore, { readonly item: DataItem; readonly png: Uint8Array }[]>();
  private heldBytes = 0;
  /** Items queued and not drawn yet (see {@link enqueue}), and how many. */
  private readonly waiting: { readonly store: ExperimentStore; readonly images: readonly DataItem[] }[] = [];
  private waitingCount = 0;
  private startTimer?: NodeJS.Timeout;

  constructor(@inject(ThumbnailsOptions) @optional() options?: ThumbnailsOptions) {
    this.options = resolveThumbnailsOptions(options);
    this.renders = new TaskLimiter(this.options.concurrency);
    if (this.options.workers > 0) this.pool = new ThumbnailPool(this.options.workers);
  }

  /** True when `item` may be an image this plugin draws: its format has a pixel reader, and its axes (when known) include Y and X. */
  accepts(item: DataItem): boolean {
    if (this.options.codecs[item.format] === undefined) return false;
    const axes = item.metadata.axes;
    return typeof axes !== 'string' || (axes.includes('Y') && axes.includes('X'));
  }

  /**
   * Queues the thumbnails of the image items among `items` and returns at once. Nothing is drawn
   * while items keep coming: the queue is drawn (in the worker threads) and saved together, in few
   * store transactions, once nothing more was queued for `saveAfterMs`, once the work settles
   * ({@link flush}: a run's end, `kernel.dispose()`), or as soon as `maxWaiting` items wait; so an
   * import's commits and tag writes share neither the CPU nor the store with thumbnails.
   */
  enqueue(store: ExperimentStore, items: readonly DataItem[]): void {
    if (this.unavailable !== undefined) return;
    const images = items.filter((item) => this.accepts(item));
    if (images.length === 0) return;
    for (const item of images) this.queued.add(`${store.uri}#${item.id}`);
    this.waiting.push({ store, images });
    this.waitingCount += images.length;
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
    if (this.waitingCount >= this.options.maxWaiting) this.startWaiting();
    else {
      this.startTimer = setTimeout(() => this.startWaiting(), this.options.saveAfterMs);
      this.startTimer.unref();
    }
  }

  /** Draws every waiting item now (in the background, tracked by {@link flush}), then saves what was drawn. */
  private startWaiting(): void {
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
    const batches = this.waiting.splice(0);
    this.waitingCount = 0;
    if (batches.length === 0) return;
    const draw = async ({ store, images }: { store: ExperimentStore; images: readonly DataItem[] }) => {
      const keys = images.map((item) => `${store.uri}#${item.id}`);
      try {
        const encoder = await this.loadEncoder();
        const pngs = await Promise.all(
          images.map((item) => (encoder === undefined ? undefined : this.attempt(store, item, () => this.render(store, item, encoder)))),
        );
        images.forEach((item, i) => {
          const png = pngs[i];
          if (png === undefined) this.queued.delete(keys[i] as string);
          else this.hold(store, item, png);
        });
      } catch (error) {
        for (const key of keys) this.queued.delete(key);
        this.options.log(`warning: thumbnails: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    // each batch is saved as soon as it is drawn, while the next ones are drawn in the workers
    for (const batch of batches) this.pend(draw(batch).then(() => this.saveHeld()));
  }

  /** Keeps a drawn PNG until it is saved (see {@link enqueue}); the item stays in {@link queued} meanwhile. */
  private hold(store: ExperimentStore, item: DataItem, png: Uint8Array): void {
    let list = this.held.get(store);
    if (list === undefined) this.held.set(store, (list = []));
    list.push({ item, png });
    this.heldBytes += png.byteLength;
    if (this.heldBytes > this.options.maxHeldBytes) this.pend(this.saveHeld());
  }

  /** Saves every held PNG now, each store's in chunks of {@link SAVE_CHUNK} saved together. Never rejects. */
  private async saveHeld(): Promise<void> {
    const taken = [...this.held];
    this.held.clear();
    this.heldBytes = 0;
    await Promise.all(
      taken.map(async ([store, list]) => {
        for (let at = 0; at < list.length; at += SAVE_CHUNK) {
          await Promise.all(
            list.slice(at, at + SAVE_CHUNK).map(async ({ item, png }) => {
              await this.attempt(store, item, () => store.saveThumbnail(item.id, png));
              this.queued.delete(`${store.uri}#${item.id}`);
            }),
          );
        }
      }),
    );
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
    for (;;) {
      if (this.waiting.length > 0) this.startWaiting();
      if (this.pending.size > 0) await Promise.all([...this.pending]);
      else if (this.held.size > 0) await this.saveHeld();
      else return;
    }
  }

  /** {@link flush}, then stops the worker threads (a later thumbnail starts them again). */
  async close(): Promise<void> {
    await this.flush();
    await this.pool?.close();
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

  /**
   * Draws the item's thumbnail ({@link drawThumbnail}: the channels' maximum projections at the
   * first time point, each plane read within `maxPixelBytes`), in a worker thread when there are workers.
   */
  private render(store: ExperimentStore, item: DataItem, encoder: PngEncoder): Promise<Uint8Array> {
    return this.renders.run(async () => {
      const codec = this.options.codecs[item.format];
      if (codec === undefined) throw new Error(`no pixel reader for format '${item.format}'`);
      const path = await store.localize(item);
      const { maxSize, percentiles, maxPixelBytes } = this.options;
      const { shape, axes, channels } = item.metadata;
      const metadata = { shape, axes, ...(channels !== undefined && { channels }) };
      const render = { maxSize, percentiles, maxPixelBytes };
      if (this.pool !== undefined) return this.pool.draw({ path, format: item.format, metadata, render });
      return drawThumbnail(codec, path, metadata, encoder, render);
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
