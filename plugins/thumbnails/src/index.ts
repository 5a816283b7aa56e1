/**
 * @bioimageit/thumbnails — PNG thumbnails (composites of the channels' maximum-intensity projections) of image items, made
 * after imports and job commits and stored through the experiment store. The kernel loads
 * `./module`; these exports serve applications that compose the plugin by hand, and tests.
 */
export { ThumbnailMaker, type ThumbnailReport } from './thumbnail-maker.js';
export { ThumbnailsHookContribution, THUMBNAILS_PLUGIN } from './thumbnails-hook-contribution.js';
export { ThumbnailsOptions, resolveThumbnailsOptions, type ResolvedThumbnailsOptions } from './thumbnails-options.js';
export { loadCoreEncoder, probePngEncoder, type PngEncoder, type PngEncoderLoader } from './png-encoder.js';
export { drawThumbnail, type RenderOptions } from './render-thumbnail.js';
export { default as thumbnailsModule, thumbnailsModuleWith } from './thumbnails-module.js';
