import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PluginError } from '@bioimageit/core';

/** A volume handed to the addon without a copy: C order, `shape` = [z, y, x]. */
export interface NativeVolume {
  readonly image: Float32Array | Uint16Array;
  readonly shape: readonly [number, number, number];
}

/** What every addon call returns: the running work and a function that asks it to stop. */
export interface NativeHandle<T> {
  readonly promise: Promise<T>;
  /** Sets the cancel flag; the promise then rejects with `code: 'CANCELLED'` after the current step. */
  cancel(): void;
}

/** Options of {@link NativeAddon.deconvolve}, validated again by the addon. */
export interface NativeDeconOptions extends NativeVolume {
  readonly psf: Float32Array;
  readonly psfShape: readonly [number, number, number];
  readonly iterations?: number;
  readonly mode?: 'padded' | 'wrap';
  readonly accelerate?: boolean;
  /** Subtracted from the image; -1: the median of the last plane. */
  readonly background?: number;
  /** Subtracted from the PSF; -1: the median of its border voxels. */
  readonly psfBackground?: number;
  readonly radialPsf?: boolean;
  readonly napodize?: number;
  readonly nzBlend?: number;
  readonly ratioLimit?: number;
  readonly threads?: number;
  readonly planner?: 'measure' | 'estimate';
  readonly wisdomDir?: string;
  readonly device?: 'auto' | 'cpu' | 'cuda';
  readonly onProgress?: (done: number, total: number) => void;
  /** Where to write the result (exactly the output's size): reusing it across calls avoids fresh pages. */
  readonly out?: Float32Array;
  /** Written instead of a new result when it has exactly the output's size (else ignored): see NativeDeskewOptions.reuse. */
  readonly reuse?: Float32Array;
}

/** A finished deconvolution as the addon reports it. */
export interface NativeDeconResult {
  readonly data: Float32Array;
  readonly shape: [number, number, number];
  readonly grid: [number, number, number];
  readonly device: 'cpu' | 'cuda';
  /** Where the FFT plans came from: `memory` (this process), `wisdom` (the file), `measured`, `estimated`, `none`. */
  readonly planSource: string;
  readonly planMs: number;
  readonly otfMs: number;
  readonly iterateMs: number;
  readonly fluxIn: number;
  readonly fluxOut: number;
  readonly background: number;
  readonly psfBackground: number;
  readonly lambdas: number[];
}

export interface NativeDeskewOptions extends NativeVolume {
  readonly angle?: number;
  readonly dz: number;
  readonly dx: number;
  readonly width?: number;
  readonly shift?: number;
  readonly padValue?: number;
  readonly threads?: number;
  /** Where to write the result (nz·ny·width values), reused across calls. */
  readonly out?: Float32Array;
  /**
   * An earlier result to write into when it has exactly the output's size (else ignored and a new
   * result is made): a series of stacks of one shape then touches no new memory and makes V8 see
   * no new external buffer (each new one of hundreds of MB costs a garbage collection).
   */
  readonly reuse?: Float32Array;
}

export interface NativeDeskewResult {
  readonly data: Float32Array;
  readonly shape: [number, number, number];
  /** Pixels of x shift per plane. */
  readonly shear: number;
  /** Z step of the deskewed stack (dz·sin θ). */
  readonly dz: number;
}

export interface NativeRotateOptions {
  readonly image: Float32Array;
  readonly shape: readonly [number, number, number];
  readonly angle: number;
  readonly dz: number;
  readonly dx: number;
  readonly threads?: number;
}

/** Maximum projections along z (y×x), y (z×x) and x (z×y). */
export interface NativeProjections {
  readonly z: Float32Array;
  readonly y: Float32Array;
  readonly x: Float32Array;
}

/** Facts about the build: FFTW version, OpenMP, CUDA (compiled in, devices seen). */
export interface NativeInfo {
  readonly fftw: string;
  readonly threads: number;
  readonly openmp: boolean;
  readonly cuda: { readonly compiled: boolean; readonly devices: number; readonly reason?: string };
}

/** The compiled addon (`build/Release/gpu_decon.node`). Every call runs off the JavaScript thread. */
export interface NativeAddon {
  deconvolve(options: NativeDeconOptions): NativeHandle<NativeDeconResult>;
  deskew(options: NativeDeskewOptions): NativeHandle<NativeDeskewResult>;
  rotate(options: NativeRotateOptions): NativeHandle<{ data: Float32Array; shape: [number, number, number] }>;
  maxProjections(options: { image: Float32Array; shape: readonly [number, number, number]; threads?: number }): NativeHandle<NativeProjections>;
  info(): NativeInfo;
  /** Median triad bandwidth in bytes/s over arrays totalling `mb` megabytes (benchmark probe; blocks the thread). */
  triadBandwidth(mb?: number, threads?: number): number;
  /**
   * Seconds to stream `input` into `outputBytes` of newly allocated memory (benchmark probe: the
   * cost any first call returning a new result pays, fresh pages included; blocks the thread).
   */
  freshStreamTime(input: Uint16Array, outputBytes: number, threads?: number): number;
  /**
   * Frees the recycled buffers (large buffers freed by earlier calls are kept, up to
   * GPUDECON_POOL_MB, default 2048, for the next call of the same size); returns the bytes freed.
   */
  releaseBuffers(): number;
  /** Bytes held by the buffer pool. */
  pooledBytes(): number;
  /**
   * Gives a result array of this addon (from deconvolve, deskew, rotate) back to the buffer pool now
   * instead of when the garbage collector finds it, so the next call of that size writes to warm
   * pages. The array is detached (length 0) afterwards; never recycle one a running call uses.
   * Returns the bytes recycled (0 for an array the addon did not allocate, or one already recycled).
   */
  recycle(array: Float32Array): number;
  /** The wisdom file used for a wisdom folder. */
  wisdomFile(dir: string): string;
}

/** The command that installs FFTW and rebuilds the addon (printed wherever the addon is missing). */
export const ADDON_FIX = 'sudo apt-get install -y libfftw3-dev g++ make python3 && npm run build -w plugins/gpu-decon';

const ADDON_PATH = fileURLToPath(new URL('../build/Release/gpu_decon.node', import.meta.url));
let loaded: NativeAddon | undefined;

/**
 * Loads the addon once per process: `build/Release/gpu_decon.node` of this package, or the file
 * named by `GPUDECON_ADDON` (a build of your own, e.g. with CUDA).
 *
 * @throws PluginError MISSING_REQUIREMENT naming the file and the fix, when the addon was not
 * built (FFTW missing at build time) or cannot be loaded (libfftw3f missing at run time).
 */
export function loadNativeAddon(path: string = process.env['GPUDECON_ADDON'] || ADDON_PATH): NativeAddon {
  if (loaded !== undefined && path === ADDON_PATH) return loaded;
  const missing = (why: string, cause?: unknown): PluginError =>
    new PluginError('MISSING_REQUIREMENT', `${why}. Fix: ${ADDON_FIX}`, {
      ...(cause !== undefined && { cause }),
      details: { plugin: 'gpu-decon', addon: path, fix: ADDON_FIX },
    });
  if (!existsSync(path)) throw missing(`the gpu-decon native addon ${path} was not built (FFTW was missing when the package was built)`);
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (cause) {
    const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw missing(`the gpu-decon native addon ${path} cannot be loaded (${why})`, cause);
  }
  if (path === ADDON_PATH) loaded = addon;
  return addon;
}
