import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, type ServedFixture } from '../test-support/fixture-workspace.js';
import { importLoadItems, previewLoad, quantile, type PreviewLoadItems } from '../test-support/preview-load.js';

/**
 * Issue 16 item 2: a 1 MiB TIFF holding one deflate strip of 32768² zeros took 27.5 s and 10.3 GB
 * to preview, stalled every other client up to 9 s and ended in a 500. Previews now read bounded
 * planes in worker threads, and a plane declared larger than the read limit is refused before
 * decoding. The latencies are printed, not asserted (shared machines are noisy); `npm run
 * bench:previews` prints them side by side with a quiet server.
 */
describe('previews of decompression bombs under load', () => {
  let fixture: ServedFixture;
  let items: PreviewLoadItems;
  beforeAll(async () => {
    fixture = await serveFixture('bioimageit-preview-load-');
    items = await importLoadItems(fixture, 2000);
  }, 120_000);
  afterAll(async () => fixture?.cleanup());

  it('refuses a bomb with 422 naming the limit, before decoding it, and draws allowed images', async () => {
    const base = `${fixture.base}/api/experiments/${fixture.experimentId}`;
    const before = process.memoryUsage();
    const bomb = await fetch(`${base}/items/${items.bomb}/preview.png?projection=max&size=256`);
    const body = (await bomb.json()) as { error: { code: string; area: string; message: string } };
    expect(bomb.status).toBe(422);
    expect(body.error).toMatchObject({ code: 'TOO_LARGE', area: 'format' });
    expect(body.error.message).toMatch(/bomb\.tif: reading it needs 1\.0 GiB of pixels for 32768×32768 uint8 \(YX\), over the 256\.0 MiB limit/);
    const thumbnail = await fetch(`${base}/items/${items.bomb}/thumbnail.png`);
    expect(thumbnail.status).toBe(422);
    await thumbnail.arrayBuffer();
    const heavy = await fetch(`${base}/items/${items.heavy}/preview.png?z=0&size=300`);
    expect(heavy.status).toBe(200);
    expect(heavy.headers.get('content-type')).toBe('image/png');
    const png = new Uint8Array(await heavy.arrayBuffer());
    expect([new DataView(png.buffer).getUint32(16), new DataView(png.buffer).getUint32(20)]).toEqual([300, 300]);
    const info = await fetch(`${base}/items/${items.bomb}/image`);
    expect(await info.json()).toMatchObject({ axes: 'YX', width: 32768, height: 32768, dtype: 'uint8' });
    const after = process.memoryUsage();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 2 ** 20);
  });

  it('keeps answering other clients while bombs and heavy images are previewed concurrently', async () => {
    const quiet = await previewLoad(fixture, items, { clients: 4, requests: 40, attackers: 0 });
    const loaded = await previewLoad(fixture, items, { clients: 4, requests: 100, attackers: 6 });
    const figures = (label: string, r: typeof quiet) =>
      `${label}: ${r.control.latencies.length} control requests in ${r.seconds.toFixed(1)} s, ` +
      `p50 ${quantile(r.control.latencies, 0.5).toFixed(1)} ms, p99 ${quantile(r.control.latencies, 0.99).toFixed(1)} ms, ` +
      `max ${quantile(r.control.latencies, 1).toFixed(1)} ms; bomb previews ${JSON.stringify(r.bombs)}, heavy previews ${JSON.stringify(r.heavy)}`;
    process.stderr.write(`preview load (issue 16): ${figures('quiet', quiet)}\npreview load (issue 16): ${figures('under bombs', loaded)}\n`);
    expect(loaded.control.statuses).toEqual({ 200: 400 });
    expect(Object.keys(loaded.bombs)).toEqual(['422']);
    expect(Object.keys(loaded.heavy)).toEqual(['200']);
    expect(loaded.bombs[422]).toBeGreaterThan(0);
    expect(loaded.heavy[200]).toBeGreaterThan(0);
  }, 120_000);
});
