/** Something that can be undone once (a registration, a subscription). Disposing twice is a no-op. */
export interface Disposable {
  dispose(): void;
}

/** Wraps a function so that it runs at most once. */
export function disposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}
