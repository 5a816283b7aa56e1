/**
 * Preview load benchmark (issue 16): control clients page items and ask image facts while other
 * clients preview a 1 GiB deflate bomb and a heavy allowed image over and over. Prints the control
 * latencies on a quiet server and under that load, side by side in one run, and their ratio;
 * target: p99 under load below 100 ms.
 *
 * Usage (from the repository root): npm run bench:previews [-- --clients 8] [-- --requests 200] [-- --attackers 8] [-- --side 3000]
 */
import { serveFixture } from '../src/test-support/fixture-workspace.js';
import { importLoadItems, previewLoad, quantile, type PreviewLoadReport } from '../src/test-support/preview-load.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const clients = flag('--clients', 8);
const requests = flag('--requests', 200);
const attackers = flag('--attackers', 8);
const side = flag('--side', 3000);

const fixture = await serveFixture('bioimageit-bench-previews-');
try {
  const items = await importLoadItems(fixture, side);
  await previewLoad(fixture, items, { clients: 2, requests: 20, attackers: 0 });
  const quiet = await previewLoad(fixture, items, { clients, requests, attackers: 0 });
  const loaded = await previewLoad(fixture, items, { clients, requests, attackers });
  const row = (label: string, r: PreviewLoadReport) =>
    `| ${label} | ${r.control.latencies.length} | ${quantile(r.control.latencies, 0.5).toFixed(1)} | ${quantile(r.control.latencies, 0.99).toFixed(1)} | ` +
    `${quantile(r.control.latencies, 1).toFixed(1)} | ${JSON.stringify(r.bombs)} | ${JSON.stringify(r.heavy)} |`;
  console.log(
    `preview load: ${clients} control clients × ${requests} requests; ${attackers} clients previewing a 32768² deflate bomb and a ${side}² uint16 image`,
  );
  console.log('| server | control requests | p50 ms | p99 ms | max ms | bomb previews | heavy previews |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(row('quiet', quiet));
  console.log(row('under bombs', loaded));
  const p99 = quantile(loaded.control.latencies, 0.99);
  console.log(`p99 under load ÷ quiet p99: ${(p99 / quantile(quiet.control.latencies, 0.99)).toFixed(2)}×`);
  console.log(`${p99 < 100 ? 'PASS' : 'FAIL'}  control p99 under load < 100 ms: ${p99.toFixed(1)} ms`);
} finally {
  await fixture.cleanup();
}
