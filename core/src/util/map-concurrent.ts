/**
 * Maps `items` through the async function `fn` with at most `limit` calls in flight, resolving
 * with the results in the order of `items` (not the order the calls finish).
 *
 * Contract:
 * - Calls start in the order of `items`; a new one starts as soon as one in flight settles.
 * - `limit` below 1 (or NaN) counts as 1; `Infinity` starts every call at once.
 * - The first rejection stops new calls from starting; the map rejects with that first error once
 *   the calls already in flight have settled (so no call of `fn` is still running when the caller
 *   gets the error back, and can clean up after it). Later errors are dropped.
 * - An empty `items` resolves with `[]` without calling `fn`.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const width = Math.min(items.length, limit >= 1 ? Math.floor(limit) : 1);
  await Promise.all(Array.from({ length: width }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
