/**
 * One EventSource on /api/events for the open experiment; views subscribe to `run`, `job` and
 * `reload` events. The browser reconnects by itself after a network hiccup, sending the id of the
 * last event it got (Last-Event-ID): the server sends the events missed meanwhile, or, when it no
 * longer has them, a `reload` event (views re-read what they show) and the state of every run.
 */
export class RunEvents {
  constructor() {
    this.listeners = new Set();
    this.source = undefined;
  }

  open(experimentId) {
    this.source?.close();
    this.source = new EventSource(`/api/events?experiment=${encodeURIComponent(experimentId)}`);
    for (const type of ['run', 'job', 'reload']) {
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
