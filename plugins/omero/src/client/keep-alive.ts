import type { OmeroHttp } from './omero-http.js';

/**
 * Pings `/webclient/keepalive_ping/` every `everyMs` (OMERO.web's own pages ping every 60 s)
 * while `alive()` says a session is held, so the session outlives long jobs that make no requests
 * (OMERO closes sessions idle for 10 minutes). A ping answered with anything but `OK` (OMERO.web
 * says `Connection Failed`) calls `lost()`, so the next request logs in again. The timer never
 * keeps the process alive; a failed ping is not retried. `everyMs` <= 0: no pings.
 */
export class KeepAlive {
  private readonly timer?: NodeJS.Timeout;

  constructor(http: OmeroHttp, everyMs: number, alive: () => boolean, lost: () => void) {
    if (everyMs <= 0) return;
    this.timer = setInterval(() => {
      if (!alive()) return;
      void http.send({ method: 'GET', path: '/webclient/keepalive_ping/', retries: 0 }).then(
        (reply) => {
          if (reply.body.toString('utf8').trim() !== 'OK') lost();
        },
        () => undefined,
      );
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
