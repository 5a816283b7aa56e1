import { inject, injectable } from 'inversify';
import type { HookContribution, PluginHooks } from '@bioimageit/core';
import { ThumbnailMaker } from './thumbnail-maker.js';

/** The plugin id, which labels every tap. */
export const THUMBNAILS_PLUGIN = 'thumbnails';

/**
 * Taps the kernel's hooks: items committed by an import batch (`dataImported`) and by a job
 * (`jobFinished` with `committed`) are queued for thumbnails without holding the import or the
 * run up, and the first commit into a dataset in this process also queues the dataset's items left
 * without thumbnail (by a process killed before it drew them). The queue is awaited when a run
 * ends (`afterRun`, so a run's outputs have their thumbnails when it returns) and before the
 * kernel closes its experiments (`beforeDispose`, so thumbnails of an import exist when
 * `kernel.dispose()` — and so any CLI command — returns).
 */
@injectable()
export class ThumbnailsHookContribution implements HookContribution {
  constructor(@inject(ThumbnailMaker) private readonly maker: ThumbnailMaker) {}

  apply(hooks: PluginHooks): void {
    hooks.dataImported.tap(THUMBNAILS_PLUGIN, ({ store, items }) => {
      if (store === undefined) return;
      this.maker.enqueue(store, items);
      this.maker.sweepMissing(store, 'data');
    });
    hooks.jobFinished.tap(THUMBNAILS_PLUGIN, ({ store, committed }) => {
      if (store === undefined || committed === undefined) return;
      this.maker.enqueue(store, committed);
      for (const dataset of new Set(committed.map((item) => item.dataset))) this.maker.sweepMissing(store, dataset);
    });
    hooks.afterRun.tapPromise(THUMBNAILS_PLUGIN, () => this.maker.flush());
    hooks.beforeDispose.tapPromise(THUMBNAILS_PLUGIN, () => this.maker.close());
  }
}
