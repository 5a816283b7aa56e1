import type { ApiRoute } from '../http/api-route.js';
import { EVENT_REPLAY_LIMIT, type SequencedEvent } from '../runs/run-events.js';
import type { ServerContext } from './server-context.js';

/** How often an idle stream sends a comment line (and the last event id), so proxies keep it open. */
const HEARTBEAT_MS = 15_000;
/** How long a browser waits before it reconnects a dropped stream (the SSE `retry:` field). */
const RETRY_MS = 3_000;

const RELOAD_REASONS = {
  expired: 'the events since the last one this client received are no longer kept',
  restarted: 'the server restarted since the last event this client received',
  unknown: 'the Last-Event-ID is not one this server sent',
} as const;

/**
 * Live progress as server-sent events (`text/event-stream`): `run` events carry a LiveRun (status,
 * jobs finished, fraction), `job` events a job's start or end. Every event has an `id:`; a client
 * that reconnects with `Last-Event-ID` (browsers send it by themselves) gets exactly the events
 * it missed, from a buffer of the last ones. When those are no longer kept (or the server
 * restarted), it gets a `reload` event saying so, then the current state of every run, as a
 * client that connects afresh does.
 */
export function eventRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/events',
      operationId: 'streamEvents',
      summary: 'Server-sent events of runs and imports: progress, job starts and ends, final status; resumable with Last-Event-ID',
      description:
        "Each event is `id: ID`, `event: run|job|import|reload`, `data: JSON`. `import` events carry an import's state (ImportState: progress while it reads files, then its outcome). " +
        'Without `Last-Event-ID` the stream first sends the current state of every run and import this server started ' +
        '(`run` and `import` events), filtered like the rest. A client that reconnects with the header `Last-Event-ID` (or the query parameter `lastEventId`) set to the last id it received gets ' +
        `the events it missed, in order, without the state first. The server keeps the last ${EVENT_REPLAY_LIMIT} events: when the missed ones are older, or the id is from before a restart, ` +
        'the stream starts with a `reload` event (`{ reason, message, lastEventId }`: `reason` is `expired`, `restarted` or `unknown`): reload what you show, the current state of every run follows.',
      tag: 'runs',
      headers: [
        {
          name: 'Last-Event-ID',
          schema: { type: 'string', maxLength: 100 },
          description: 'the id of the last event received, to resume after a dropped connection (browsers send it when they reconnect)',
        },
      ],
      query: [
        { name: 'experiment', schema: { type: 'string', minLength: 1 }, description: 'only runs of this experiment id' },
        { name: 'run', schema: { type: 'string', minLength: 1 }, description: 'only this run (or import: its id)' },
        {
          name: 'lastEventId',
          schema: { type: 'string', minLength: 1, maxLength: 100 },
          description: 'as the Last-Event-ID header, for clients that cannot set headers (the header wins)',
        },
      ],
      responses: {
        200: {
          description: 'an endless event stream: `id: ID`, `event: run|job|import|reload`, `data: JSON` (see the operation description)',
          contentType: 'text/event-stream',
        },
      },
      handle: async ({ query, raw, response }) => {
        const wanted = (e: { experiment: string; runId: string }) =>
          (query['experiment'] === undefined || e.experiment === query['experiment']) && (query['run'] === undefined || e.runId === query['run']);
        const header = raw.headers['last-event-id'];
        const lastEventId = (Array.isArray(header) ? header[0] : header) || (query['lastEventId'] as string | undefined);
        const bus = ctx.runs.events;
        response.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-store',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        response.write(`: bioimageit run events\nretry: ${RETRY_MS}\n\n`);
        const write = (id: string, type: string, data: unknown) => response.write(`id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
        const send = (event: SequencedEvent) => {
          if (!wanted(event)) return;
          write(event.id, event.type, event.type === 'import' ? event.data : { experiment: event.experiment, runId: event.runId, ...(event.data as object) });
        };
        // The replay (or the current state) and the subscription happen in one synchronous step:
        // an event published meanwhile is neither lost nor sent twice.
        const resumed = lastEventId === undefined || lastEventId === '' ? undefined : bus.since(lastEventId);
        if (resumed !== undefined && 'events' in resumed) {
          for (const event of resumed.events) send(event);
        } else {
          if (resumed !== undefined)
            write(bus.lastId, 'reload', { reason: resumed.missed, message: `${RELOAD_REASONS[resumed.missed]}: reload the state`, lastEventId });
          for (const live of ctx.runs.list()) if (wanted(live)) write(bus.lastId, 'run', live);
          for (const live of ctx.imports.list()) if (wanted({ experiment: live.experiment, runId: live.id })) write(bus.lastId, 'import', live);
        }
        // the id of the newest event, so that a reconnect resumes after it (and after events this filter skipped)
        response.write(`id: ${bus.lastId}\n\n`);
        const unsubscribe = bus.subscribe(send);
        const heartbeat = setInterval(() => response.write(`: ping\nid: ${bus.lastId}\n\n`), HEARTBEAT_MS);
        heartbeat.unref();
        const close = () => {
          clearInterval(heartbeat);
          unsubscribe();
        };
        raw.on('close', close);
        response.on('close', close);
        return { streamed: true };
      },
    },
  ];
}
