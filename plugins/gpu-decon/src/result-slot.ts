import type { NativeAddon } from './native-addon.js';

/**
 * One result array of a native operation kept for the next job of a series (stacks of one shape):
 * handed to the addon as `reuse`, it is written in place instead of a new result, so the job
 * touches no fresh pages and V8 sees no new external buffer (each new one of hundreds of MB costs
 * a garbage collection). One job at a time holds it: take() empties the slot until give().
 */
export class ResultSlot {
  #array: Float32Array | undefined;

  /** The kept array (the slot is then empty), or undefined. */
  take(): Float32Array | undefined {
    const array = this.#array;
    this.#array = undefined;
    return array;
  }

  /**
   * Keeps `array` (a result the caller no longer reads) for the next take(). `taken`, what this
   * job took, goes back to the addon's pool when the addon did not use it (another size); so does
   * an array already kept by a job that finished first.
   */
  give(addon: Pick<NativeAddon, 'recycle'>, array: Float32Array, taken?: Float32Array): void {
    if (taken !== undefined && taken !== array) addon.recycle(taken);
    if (this.#array !== undefined && this.#array !== array) addon.recycle(this.#array);
    this.#array = array;
  }

  /** Gives the kept array back to the addon's pool (the slot is then empty). */
  release(addon: Pick<NativeAddon, 'recycle'>): void {
    const array = this.take();
    if (array !== undefined) addon.recycle(array);
  }
}
