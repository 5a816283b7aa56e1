/**
 * @bioimageit/gpu-decon: native deskew and Richardson–Lucy deconvolution (FFTW on the CPU, cuFFT
 * where present), contributed to BioImageIT as the `native` runner and the `gpu-decon.*` tools.
 */
export { loadNativeAddon, ADDON_FIX } from './native-addon.js';
export type {
  NativeAddon,
  NativeDeconOptions,
  NativeDeconResult,
  NativeDeskewOptions,
  NativeDeskewResult,
  NativeHandle,
  NativeInfo,
  NativeProjections,
  NativeRotateOptions,
  NativeVolume,
} from './native-addon.js';
export { runNative, defaultWisdomDir } from './run-native.js';
export { NativeRunner, type NativeRunnerOptions } from './native-runner.js';
export { GpuDeconToolSource } from './gpu-decon-tool-source.js';
export { GPU_DECON_TOOLS, PLUGIN_ID, TOOLS_VERSION } from './gpu-decon-tools.js';
export { resamplePsf, type SampledPsf } from './resample-psf.js';
export { readStack, writeStack, type Stack } from './volume-io.js';
export { encodeGrayPng } from './png-encoder.js';
export { mipMontage, type GrayImage } from './mip-montage.js';
