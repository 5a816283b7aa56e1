import { PluginError } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { loadNativeAddon, type NativeAddon } from '../native-addon.js';

/**
 * The built addon for a spec file, or undefined when the file's addon suites must skip: the addon
 * was not built (FFTW missing when the package was built) or cannot load (libfftw3f missing at
 * run time). The skip names the system part `fftw` and is listed in the run's closing summary;
 * a run that requires the part (`BIOIMAGEIT_REQUIRE_PARTS`, CI) throws instead. Any other load
 * error is thrown as it is.
 *
 * @param suite the calling spec file's `import.meta.url`
 */
export function addonOrSkip(suite: string): NativeAddon | undefined {
  try {
    return loadNativeAddon();
  } catch (error) {
    if (!(error instanceof PluginError) || error.code !== 'MISSING_REQUIREMENT') throw error;
    skipWithout('fftw', error.message.replace(/\. Fix: [\s\S]*$/, ''), suite);
    return undefined;
  }
}
