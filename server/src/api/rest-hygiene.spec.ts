import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStreamEvent } from '../runs/run-events.js';
import { serveCommandAction } from '../serve-command-action.js';
import { startServer } from '../start-server.js';
import { ContractClient, type StreamEvent } from '../test-support/contract-client.js';
import { REPO, serveFixture, type ServedFixture } from '../test-support/fixture-workspace.js';

/** An absolute path of this machine or a usual one (`/home/…`, `/tmp/…`, `C:\…`, `file:///…`) in a text. */
const ABSOLUTE_PATH = /(^|[\s'"(=,])(\/(home|Users|tmp|var|srv|opt|usr|work|private|root|mnt|data)\/|[A-Za-z]:\\|file:\/\/)/;

describe('REST hygiene', () => {
  let fx: ServedFixture;
  let api: ContractClient;
  let exp: string;

  beforeAll(async () => {
    fx = await serveFixture('bioimageit-hygiene-');
    api = new ContractClient(fx.base, fx.server.document);
    exp = fx.experimentId;
  });
  afterAll(async () => fx?.cleanup());

  describe('event stream', () => {
    /** Publishes a synthetic job event of `experiment` on the server's bus (as the run tracker does). */
    const publish = (jobId: string, experiment = exp): string =>
      fx.server.context.runs.events.publish({ type: 'job', experiment, runId: 'run-sse', data: { jobId, status: 'running' } } satisfies RunStreamEvent).id;
    const jobs = (events: readonly StreamEvent[]) => events.filter((e) => e.type === 'job').map((e) => e.data.jobId as string);

    it('gives every event an id, and a client that reconnects with Last-Event-ID exactly the events it missed', async () => {
      const path = `/api/events?experiment=${exp}`;
      const blocks: string[] = [];
      const first = api.events(path, (events) => jobs(events).includes('job-2'), { onBlock: (b) => blocks.push(b) });
      await new Promise((r) => setTimeout(r, 100));
      const ids = [publish('job-1'), publish('job-2')];
      const seen = await first; // the client drops the connection here
      expect(seen.filter((e) => e.type === 'job')).toEqual([
        { id: ids[0], type: 'job', data: { experiment: exp, runId: 'run-sse', jobId: 'job-1', status: 'running' } },
        { id: ids[1], type: 'job', data: { experiment: exp, runId: 'run-sse', jobId: 'job-2', status: 'running' } },
      ]);
      expect(blocks[0]).toMatch(/^: bioimageit run events\nretry: \d+$/);
      const epoch = fx.server.context.runs.events.epoch;
      expect(ids[0]).toMatch(new RegExp(`^${epoch}-\\d+$`));
      expect(ids[1]).toBe(`${epoch}-${Number(ids[0]!.slice(epoch.length + 1)) + 1}`);

      // missed while disconnected: three of this experiment, one of another (filtered out)
      const missed = [publish('job-3'), publish('job-4'), publish('other', 'another-experiment'), publish('job-5')];
      const resumed = api.events(path, (events) => jobs(events).includes('job-6'), { lastEventId: seen.at(-1)!.id! });
      await new Promise((r) => setTimeout(r, 100));
      const live = publish('job-6');
      const after = await resumed;
      expect(after.map((e) => [e.type, e.id, e.data.jobId])).toEqual([
        ['job', missed[0], 'job-3'],
        ['job', missed[1], 'job-4'],
        ['job', missed[3], 'job-5'],
        ['job', live, 'job-6'],
      ]);
    });

    it('tells a client whose missed events are no longer kept (or from before a restart) to reload, then sends the state', async () => {
      const bus = fx.server.context.runs.events;
      const old = publish('stale');
      for (let i = 0; i <= bus.capacity; i++) publish(`flood-${i}`, 'another-experiment');
      const expired = await api.events(`/api/events?experiment=${exp}`, (events) => events.length >= 1, { lastEventId: old });
      expect(expired[0]).toMatchObject({ id: bus.lastId, type: 'reload', data: { reason: 'expired', lastEventId: old } });
      expect(expired[0]?.data.message).toContain('reload');
      const restarted = await api.events(`/api/events?lastEventId=${encodeURIComponent('previousEpoch-12')}`, (events) => events.length >= 1);
      expect(restarted[0]).toMatchObject({ type: 'reload', data: { reason: 'restarted' } });
      const garbage = await api.events('/api/events', (events) => events.length >= 1, { lastEventId: 'not an id' });
      expect(garbage[0]).toMatchObject({ type: 'reload', data: { reason: 'unknown' } });
      // a run this server started is sent after the reload, as on a fresh connection
      const started = await api.call('POST', `/api/experiments/${exp}/runs`, {
        tool: 'bioimageit.threshold',
        inputs: [{ name: 'image', query: 'Population=population1 AND number<3' }],
        outputDataset: 'sse-masks',
      });
      await fx.server.context.runs.settled(started.json.runId);
      const state = await api.events(`/api/events?run=${started.json.runId}`, (events) => events.length >= 2, { lastEventId: old });
      expect(state.map((e) => [e.type, e.data.runId ?? null])).toEqual([
        ['reload', null],
        ['run', started.json.runId],
      ]);
    });

    it('documents Last-Event-ID and lastEventId on the stream', () => {
      const op = fx.server.document.paths['/api/events']?.['get'];
      expect(op?.parameters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'Last-Event-ID', in: 'header' }),
          expect.objectContaining({ name: 'lastEventId', in: 'query' }),
        ]),
      );
      expect(op?.description).toContain('reload');
    });
  });

  describe('error bodies', () => {
    it("never name a folder of the server: a tool's file is shown in its tool folder", async () => {
      const bad = await api.call('POST', `/api/experiments/${exp}/runs`, {
        tool: 'bioimageit.threshold',
        inputs: [{ name: 'image', query: 'number<3' }],
        outputDataset: 'masks',
        params: { method: 'magic' },
      });
      expect(bad.status).toBe(400);
      const text = Buffer.from(bad.bytes).toString('utf8');
      expect(bad.json.error.details).toMatchObject({ tool: 'bioimageit.threshold', file: '<tools>/threshold.tool.json' });
      expect(text).not.toContain(REPO);
      expect(text).not.toContain(fx.dir);
      expect(text).not.toMatch(ABSOLUTE_PATH);
    });

    it('nor do the states of failed runs and their job events', async () => {
      const watching = api.events(`/api/events?experiment=${exp}`, (events) => events.some((e) => e.type === 'run' && e.data.status === 'failed'));
      await new Promise((r) => setTimeout(r, 100));
      const started = await api.call('POST', `/api/experiments/${exp}/runs`, {
        tool: 'bioimageit.threshold',
        inputs: [{ name: 'image', query: 'Population=population1 AND number<3' }],
        params: { method: 'fixed' },
        outputDataset: 'failing-hygiene',
      });
      const events = await watching;
      const live = (await api.call('GET', `/api/experiments/${exp}/runs/${started.json.runId}`)).json.live;
      expect(live).toMatchObject({ status: 'failed', error: expect.stringContaining('job(s) failed') });
      for (const text of [JSON.stringify(events), JSON.stringify(live), JSON.stringify((await api.call('GET', `/api/experiments/${exp}/runs`)).json)]) {
        expect(text).not.toContain(REPO);
        expect(text).not.toContain(fx.dir);
        expect(text).not.toMatch(ABSOLUTE_PATH);
      }
    });
  });

  describe('the printed address', () => {
    it('is 127.0.0.1 and the machine name, never 0.0.0.0, for a server bound to every interface', async () => {
      const lines: string[] = [];
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      const serving = serveCommandAction({ host: '0.0.0.0', port: '0' }, { kernel: fx.kernel, cwd: fx.dir, env: {}, out: (t) => lines.push(t), stopped });
      while (lines.length < 3) await new Promise((r) => setTimeout(r, 20));
      const local = /serving \d+ experiments? at (http:\/\/\S+)/.exec(lines[0]!)?.[1];
      expect(local).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
      expect(lines[1]).toMatch(new RegExp(`^From other machines: http://${hostname().replace(/[.]/g, '\\.')}:\\d+/\\?token=`));
      expect(lines.join('\n')).not.toContain('0.0.0.0');
      const token = new URL(local!).searchParams.get('token')!;
      const info = await fetch(new URL('/api', local), { headers: { Authorization: `Bearer ${token}` } });
      expect(info.status).toBe(200);
      stop();
      await serving;
    });

    it('stays the bound address on loopback, with no line for other machines', async () => {
      const server = await startServer({ kernel: fx.kernel, port: 0, log: () => undefined });
      try {
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        expect(server.networkUrls).toEqual([]);
      } finally {
        await server.close();
      }
    });
  });
});
