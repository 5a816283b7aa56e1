/**
 * One EventSource on /api/events for the open experiment; views subscribe to `run` and `job`
 * events. The browser reconnects by itself after a network hiccup; on reconnect the server
 * replays the current state of every run it started, so progress bars catch up.
 */
export class RunEvents {
  constructor() {
    this.listeners = new Set();
    this.source = undefined;
  }

  open(experimentId) {
    this.source?.close();
    this.source = new EventSource(`/api/events?experiment=${encodeURIComponent(experimentId)}`);
    for (const type of ['run', 'job']) {
      this.source.addEventListener(type, (message) => {
        const data = JSON.parse(message.data);
        for (const listener of [...this.listeners]) listener(type, data);
      });
    }
  }

  /** Calls `listener(type, data)` for every event; returns the unsubscribe function. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
