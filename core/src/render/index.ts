export {
  defaultChannelColor,
  defaultChannelDisplays,
  parseHexColor,
  STANDARD_CHANNEL_COLORS,
  type ChannelDisplay,
  type ChannelWindow,
} from './channel-display.js';
export { WindowSampler, valuesWindow } from './display-window.js';
export { compositeRgba, colourRgba, type RgbaImage } from './composite.js';
export { resamplePlane, fitSize, type Region, type FloatPlane } from './resample.js';
export { encodePng, pngChunk, PNG_SIGNATURE } from './png-encode.js';
export {
  renderImage,
  stackWindows,
  imageGeometry,
  readImageGeometry,
  type ImageGeometry,
  type RenderRequest,
  type StackWindowOptions,
} from './render-image.js';
