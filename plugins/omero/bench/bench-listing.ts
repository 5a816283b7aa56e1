/**
 * Benchmark: listing a Project of N images (default 10,000; every third tagged) through the OMERO
 * backend (`ExperimentStore.items()`: paged image lists + batched annotation reads, turned into
 * DataItems) against the fake OMERO.web, compared with a baseline in the same script: the same
 * image pages fetched one after the other with plain `fetch` and JSON.parse (the least any client
 * must do). Prints medians of the repeats, the ratio, and the request counts.
 *
 *   npm run bench -w @bioimageit/omero [-- --images 10000 --repeats 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OmeroStorageBackend } from '../src/omero-storage-backend.js';
import { NS_CLIENT } from '../src/storage/omero-model.js';
import { FakeOmeroWeb } from '../test/fake-omero/fake-omero-web.js';

const { values } = parseArgs({ options: { images: { type: 'string', default: '10000' }, repeats: { type: 'string', default: '3' } } });
const count = Number(values.images);
const repeats = Number(values.repeats);

const fake = new FakeOmeroWeb();
fake.addUser({ userName: 'ben', password: 'bench-password' });
const url = await fake.start();
const server = new URL(url).host;
const project = fake.state.addProject('Bench', 5, 3);
const dataset = fake.state.addDataset('plate', 5, 3, project.id);
for (let i = 0; i < count; i++) {
  const image = fake.state.addImage(dataset.id, `img-${String(i).padStart(6, '0')}.tif`, 3);
  if (i % 3 === 0) fake.state.annotate('image', image.id, { kind: 'MapAnnotationI', ns: NS_CLIENT, ownerId: 3, values: [['Population', `p${i % 7}`]] });
}
const dir = await mkdtemp(path.join(tmpdir(), 'bioimageit-omero-bench-'));
const backend = new OmeroStorageBackend({
  servers: { [server]: url },
  cacheDir: dir,
  sessionFile: path.join(dir, 'sessions.json'),
  env: {},
  credentials: async () => ({ username: 'ben', password: 'bench-password' }),
});
const store = await backend.openExperiment(`omero://${server}/project/${project.id}`);
const cookie = await (
  store as unknown as { ctx: { repo: { client: { http: { jar: { getCookieString(u: string): Promise<string> } } } } } }
).ctx.repo.client.http.jar.getCookieString(url);

async function baseline(): Promise<number> {
  let n = 0;
  for (let offset = 0; offset < count; offset += 500) {
    const res = await fetch(`${url}/api/v0/m/datasets/${dataset.id}/images/?limit=500&offset=${offset}`, {
      headers: { cookie, 'x-requested-with': 'XMLHttpRequest' },
    });
    n += ((await res.json()) as { data: unknown[] }).data.length;
  }
  return n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(fn: () => Promise<number>): Promise<{ ms: number; n: number; requests: number }> {
  const times: number[] = [];
  let n = 0;
  let requests = 0;
  for (let r = 0; r < repeats; r++) {
    const before = fake.requests.length;
    const start = performance.now();
    n = await fn();
    times.push(performance.now() - start);
    requests = fake.requests.length - before;
  }
  return { ms: median(times), n, requests };
}

await store.items(); // warm-up (JIT, connection)
const base = await time(baseline);
const items = await time(async () => (await store.items()).length);
console.log(`listing ${count} images (${Math.ceil(count / 3)} tagged) from the fake OMERO.web, median of ${repeats}:`);
console.log(`  baseline  (plain fetch of the image pages):       ${base.ms.toFixed(0)} ms, ${base.requests} requests, ${base.n} images`);
console.log(`  backend   (ExperimentStore.items(), with tags):    ${items.ms.toFixed(0)} ms, ${items.requests} requests, ${items.n} items`);
console.log(`  ratio backend/baseline: ${(items.ms / base.ms).toFixed(2)}x`);
await store.close();
await fake.stop();
await rm(dir, { recursive: true, force: true });
