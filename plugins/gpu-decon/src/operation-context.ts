import type { NativeAddon } from './native-addon.js';
import type { ToolArgs } from './tool-args.js';

/** What an in-process tool operation gets from the native runner. */
export interface OperationContext {
  readonly addon: NativeAddon;
  /** Aborted on cancel or timeout; operations pass it to every addon call. */
  readonly signal: AbortSignal;
  /** Worker threads for FFTW and OpenMP. */
  readonly threads: number;
  /** Folder of the FFTW wisdom file. */
  readonly wisdomDir: string;
  /** Appends one line to the job's stdout log. */
  log(line: string): void;
  /** Reports overall progress 0..1 (written as a `progress: N%` line the job engine understands). */
  progress(fraction: number): void;
}

/** Facts an operation reports for provenance (device, FFT grid, plan source, timings). */
export type OperationFacts = Record<string, unknown>;

/** One tool of the plugin, run in-process: reads its inputs, computes, writes its outputs. */
export type NativeOperation = (args: ToolArgs, context: OperationContext) => Promise<OperationFacts>;

/** `[z, y, x]` as `z×y×x`. */
export function formatShape(shape: readonly number[]): string {
  return shape.join('×');
}
