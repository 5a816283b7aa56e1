/**
 * @bioimageit/thumbnails — PNG thumbnails (maximum-intensity projections) of image items, made
 * after imports and job commits and stored through the experiment store. The kernel loads
 * `./module`; these exports serve applications that compose the plugin by hand, and tests.
 */
export { ThumbnailMaker, type ThumbnailReport } from './thumbnail-maker.js';
export { ThumbnailsHookContribution, THUMBNAILS_PLUGIN } from './thumbnails-hook-contribution.js';
export { ThumbnailsOptions, resolveThumbnailsOptions, type ResolvedThumbnailsOptions } from './thumbnails-options.js';
export { loadNapiCanvas, probePngEncoder, type PngEncoder, type PngEncoderLoader } from './png-encoder.js';
export { thumbnailImage, renderThumbnail, type ThumbnailImage, type RenderOptions } from './render-thumbnail.js';
export { maxProjection, type DisplayPlane } from './max-projection.js';
export { displayRange, percentile, stretchToBytes, type DisplayRange } from './contrast-stretch.js';
export { boxDownsample, thumbnailSize } from './box-downsample.js';
export { default as thumbnailsModule, thumbnailsModuleWith } from './thumbnails-module.js';
