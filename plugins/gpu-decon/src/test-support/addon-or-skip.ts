import { loadNativeAddon, type NativeAddon } from '../native-addon.js';

/**
 * The built addon, or undefined with the reason printed when it cannot load here (no FFTW when
 * the package was built). In CI (`CI=true`) a missing addon is an error: the suites must run.
 */
export function addonOrSkip(): NativeAddon | undefined {
  try {
    return loadNativeAddon();
  } catch (error) {
    if (process.env['CI'] === 'true') throw error;
    console.warn(`gpu-decon specs skipped: ${(error as Error).message}`);
    return undefined;
  }
}
