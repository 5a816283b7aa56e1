import { ContainerModule, type ContainerModuleLoadOptions } from 'inversify';
import { HookContribution } from '@bioimageit/core';
import { ThumbnailMaker } from './thumbnail-maker.js';
import { ThumbnailsHookContribution } from './thumbnails-hook-contribution.js';
import { ThumbnailsOptions } from './thumbnails-options.js';

function bindThumbnails({ bind }: ContainerModuleLoadOptions): void {
  bind(ThumbnailMaker).toSelf().inSingletonScope();
  bind(HookContribution).to(ThumbnailsHookContribution).inSingletonScope();
}

/** The thumbnails plugin's bindings: its maker (one per container) and its hook contribution. */
export default new ContainerModule(bindThumbnails);

/** The same bindings with `options` bound, for in-process composition (createKernel's `inlinePlugins`). */
export function thumbnailsModuleWith(options: ThumbnailsOptions): ContainerModule {
  return new ContainerModule((load) => {
    load.bind(ThumbnailsOptions).toConstantValue(options);
    bindThumbnails(load);
  });
}
