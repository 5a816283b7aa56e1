/**
 * Table-page benchmark: 100,000 items in a v1-layout experiment; the same filtered page asked
 * in-process (kernel.query + slice, the baseline), through the server's own pager in-process
 * (the same code as the endpoint minus HTTP and JSON), and over HTTP (GET
 * /api/experiments/{id}/items, JSON parsed by the client), in rotating order, median of repeats.
 * "new query" makes every request a query text the server has not seen (the selection is
 * computed); "page 20" asks a query it has seen (a table paging through the selection it keeps).
 * Prints the times, what HTTP adds over each in-process figure, and the ratio to the baseline,
 * against the target: HTTP adds at most 5 ms.
 *
 * Usage: npm run bench -w server [-- --items 100000] [-- --repeats 40] [-- --keep] [-- --reuse]
 * (`--keep` leaves the written experiment in server/.bench/, `--reuse` benchmarks a kept one again;
 * run from the repository root, where tsx finds the decorator settings.)
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, defaultConfig } from '@bioimageit/core';
import { writeSyntheticV1Experiment } from '@bioimageit/core/testing';
import { startServer } from '../src/index.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const count = Number(flag('--items') ?? 100_000);
const repeats = Number(flag('--repeats') ?? 40);
const root = fileURLToPath(new URL('../.bench/', import.meta.url));

/** One timed page: milliseconds, the total the query selects, the rows returned; `transport` = client time minus Server-Timing. */
interface Sample {
  readonly ms: number;
  readonly total: number;
  readonly rows: number;
  readonly transport?: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const dir = join(root, 'big');
if (!(args.includes('--reuse') && existsSync(join(dir, 'experiment.md.json')))) {
  await rm(root, { recursive: true, force: true });
  const t0 = performance.now();
  await writeSyntheticV1Experiment(dir, count);
  console.log(`wrote ${count.toLocaleString('en')} items in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const kernel = await createKernel({ config: { ...defaultConfig(root, 'bench'), plugins: ['@bioimageit/local-fs'] } });
const server = await startServer({ kernel, port: 0, experiments: [dir], log: () => undefined });
try {
  const store = await kernel.openExperiment(dir);
  const id = (await store.info()).id;
  const where = 'Population=population1 AND number>500 AND Well in (W2, W4, W6)';
  // `fresh` appends i spaces to the query: the same selection, but a text the server has not seen (no kept selection)
  const cases = [
    { label: 'filtered, new query', where, offset: 0, limit: 50, fresh: true },
    { label: 'filtered, page 20', where, offset: 950, limit: 50, fresh: false },
    { label: 'unfiltered page', where: '', offset: 50_000, limit: 50, fresh: false },
  ];
  console.log(`\nBioImageIT table pages over ${count.toLocaleString('en')} items (this machine, median of ${repeats}, interleaved)`);
  console.log(
    "HTTP adds: median HTTP minus median in-process (kernel.query / the server's pager); paired: per request, client time minus the server's own time (Server-Timing)",
  );
  console.log('case                 hits     kernel.query  server pager  HTTP        HTTP adds (vs query / vs pager / paired)  ratio  target: adds <= 5 ms');
  for (const c of cases) {
    const text = (i: number) => (c.fresh ? c.where + ' '.repeat(i + 1) : c.where);
    const url = (i: number) =>
      `${server.url}api/experiments/${id}/items?${new URLSearchParams({ where: text(i), offset: String(c.offset), limit: String(c.limit) })}`;
    const local: number[] = [];
    const pager: number[] = [];
    const http: number[] = [];
    const transport: number[] = [];
    let hits = 0;
    let served = 0;
    const inProcess = async (i: number): Promise<Sample> => {
      const start = performance.now();
      const all = await kernel.query(store, text(i));
      const page = all.slice(c.offset, c.offset + c.limit);
      return { ms: performance.now() - start, total: all.length, rows: page.length };
    };
    const serverStore = await server.context.catalog.open(id);
    const viaPager = async (i: number): Promise<Sample> => {
      const start = performance.now();
      const page = await server.context.pager.page(serverStore, { dataset: 'data', where: text(i) + (c.fresh ? '\n' : ''), offset: c.offset, limit: c.limit });
      return { ms: performance.now() - start, total: page.total, rows: page.items.length };
    };
    const overHttp = async (i: number): Promise<Sample> => {
      const start = performance.now();
      const response = await fetch(url(i));
      const body = (await response.json()) as { total: number; items: unknown[] };
      const ms = performance.now() - start;
      const app = Number(/app;dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1] ?? NaN);
      return { ms, total: body.total, rows: body.items.length, transport: ms - app };
    };
    for (let i = 0; i < repeats + 3; i++) {
      // alternate which goes first, so that garbage collection after one lands on both alike
      // rotate which goes first, so that garbage collection after one lands on all alike
      const runs: ((i: number) => Promise<Sample>)[] = [inProcess, viaPager, overHttp];
      const results = new Map<unknown, Sample>();
      for (let k = 0; k < runs.length; k++) {
        const run = runs[(i + k) % runs.length] as (i: number) => Promise<Sample>;
        results.set(run, await run(i));
      }
      const a = results.get(inProcess) as Sample;
      const p = results.get(viaPager) as Sample;
      const b = results.get(overHttp) as Sample;
      if (a.rows !== b.rows || a.total !== b.total || p.total !== b.total) throw new Error(`HTTP page differs: ${b.rows}/${b.total} vs ${a.rows}/${a.total}`);
      hits = a.total;
      served = b.rows;
      if (i >= 3) {
        local.push(a.ms);
        pager.push(p.ms);
        http.push(b.ms);
        transport.push(b.transport ?? NaN);
      }
    }
    const l = median(local);
    const p = median(pager);
    const h = median(http);
    const t = median(transport);
    const verdict = h - l <= 5 && t <= 5 ? 'met' : 'MISSED';
    const ms = (v: number) => `${v.toFixed(2)} ms`;
    console.log(
      `${c.label.padEnd(20)} ${String(hits).padEnd(8)} ${ms(l).padEnd(13)} ${ms(p).padEnd(13)} ${ms(h).padEnd(11)} ${`${ms(h - l)} / ${ms(h - p)} / ${ms(t)}`.padEnd(41)} ${(h / l).toFixed(2).padEnd(6)} ${verdict} (${served} rows)`,
    );
  }
} finally {
  await server.close();
  await kernel.dispose();
  if (!args.includes('--keep') && !args.includes('--reuse')) await rm(root, { recursive: true, force: true });
}
