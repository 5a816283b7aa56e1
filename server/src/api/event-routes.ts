import type { ApiRoute } from '../http/api-route.js';
import type { RunStreamEvent } from '../runs/run-events.js';
import type { ServerContext } from './server-context.js';

/** How often an idle stream sends a comment line, so proxies keep it open. */
const HEARTBEAT_MS = 15_000;

/**
 * Live progress as server-sent events (`text/event-stream`): `run` events carry a LiveRun (status,
 * jobs finished, fraction), `job` events a job's start or end. On connect the stream first sends the
 * current state of every run this server started (filtered like the rest).
 */
export function eventRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/events',
      operationId: 'streamEvents',
      summary: 'Server-sent events of runs: progress, job starts and ends, final status',
      tag: 'runs',
      query: [
        { name: 'experiment', schema: { type: 'string', minLength: 1 }, description: 'only runs of this experiment id' },
        { name: 'run', schema: { type: 'string', minLength: 1 }, description: 'only this run' },
      ],
      responses: { 200: { description: 'an endless event stream: `event: run|job`, `data: JSON`', contentType: 'text/event-stream' } },
      handle: async ({ query, raw, response }) => {
        const wanted = (e: { experiment: string; runId: string }) =>
          (query['experiment'] === undefined || e.experiment === query['experiment']) && (query['run'] === undefined || e.runId === query['run']);
        response.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-store',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        response.write(': bioimageit run events\n\n');
        const send = (event: RunStreamEvent) => {
          if (wanted(event))
            response.write(
              `event: ${event.type}\ndata: ${JSON.stringify({ experiment: event.experiment, runId: event.runId, ...(event.data as object) })}\n\n`,
            );
        };
        for (const live of ctx.runs.list()) send({ type: 'run', experiment: live.experiment, runId: live.runId, data: live });
        const unsubscribe = ctx.runs.events.subscribe(send);
        const heartbeat = setInterval(() => response.write(': ping\n\n'), HEARTBEAT_MS);
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
