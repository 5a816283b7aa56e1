import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { writeTiff } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { findChromium, launchChromium, SCREENSHOTS } from '../test-support/browser.js';
import { ContractClient } from '../test-support/contract-client.js';
import { encodeApng } from '@bioimageit/tracking';
import { serveScratchWorkspace, type ScratchWorkspace } from '../test-support/scratch-workspace.js';

/** Waits for the GUI (polling `read`): generous, since CI runs many suites at once on few cores. */
const until = <T>(read: () => Promise<T> | T, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });

const chromiumPath = findChromium();
const noBrowser = skipWithout('chromium', chromiumPath === undefined ? 'no chromium (or chromium-browser) on PATH' : undefined, import.meta.url);

/** The maximum-projection series: TYX 5×64×80 float32, 0.5 µm pixels, a blob at every spot of {@link TRACKS}. */
const [FRAMES, HEIGHT, WIDTH] = [5, 64, 80];
const PIXEL_UM = 0.5;
/** Spots in pixels, by track: 1 moves diagonally, 2 to the right, 3 lives in frames 1–3 only. */
const TRACKS: Record<string, [frame: number, x: number, y: number][]> = {
  '1': [0, 1, 2, 3, 4].map((f) => [f, 10 + 8 * f, 10 + 8 * f]),
  '2': [0, 1, 2, 3, 4].map((f) => [f, 20 + 5 * f, 52]),
  '3': [1, 2, 3].map((f) => [f, 64, 14 + 2 * f]),
};
/** A spot in no track, in frame 4. */
const LONE: [number, number, number] = [4, 70, 58];

/** The tracks table as the tracking plugin writes it: physical positions (pixel × 0.5 µm), lone spots with an empty track_id. */
function tracksCsv(): string {
  const rows: string[] = [];
  let spot = 0;
  const row = (track: string, [f, x, y]: [number, number, number]) =>
    rows.push([track, spot++, f, f * 2, 0, y * PIXEL_UM, x * PIXEL_UM, 0.9, 1000, 1.5].join(','));
  for (const [id, spots] of Object.entries(TRACKS)) for (const s of spots) row(id, s);
  row('', LONE);
  return 'track_id,spot_id,frame,t,z,y,x,quality,intensity,radius\n' + rows.join('\n') + '\n';
}

async function writeMips(path: string): Promise<void> {
  const data = new Float32Array(FRAMES * HEIGHT * WIDTH);
  const spots = [...Object.values(TRACKS).flat(), LONE];
  for (let f = 0; f < FRAMES; f++)
    for (let y = 0; y < HEIGHT; y++)
      for (let x = 0; x < WIDTH; x++) {
        let v = 5 + ((x * 7 + y * 13 + f * 3) % 11);
        for (const [sf, sx, sy] of spots) if (sf === f) v += 800 * Math.exp(-((x - sx) ** 2 + (y - sy) ** 2) / 6);
        data[(f * HEIGHT + y) * WIDTH + x] = v;
      }
  await writeTiff(
    path,
    {
      data,
      shape: [FRAMES, HEIGHT, WIDTH],
      axes: 'TYX',
      dtype: 'float32',
      physicalSize: { x: { value: PIXEL_UM, unit: 'µm' }, y: { value: PIXEL_UM, unit: 'µm' } },
    },
    { ome: true },
  );
}

/** The GUI's track colour: the id times the golden angle, as a hue. */
const colourOf = (id: number) => `hsl(${Number(((((id * 137.508) % 360) + 360) % 360).toFixed(3))}, 90%, 60%)`;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Tracks over the image viewer, in a real browser (Debian's Chromium through playwright-core): a
 * render tool made a TYX maximum-projection series and an animated PNG from a tracks table; the
 * series' viewer draws the tracks (paths over the last frames, a circle at the current spot, in
 * a colour per track) where the spots are, lists them in a table whose rows move the time slider,
 * and the animated PNG plays as stored. Screenshots go to server/test-output/.
 */
describe.skipIf(noBrowser)('browser GUI: tracks over the image viewer', () => {
  let ws: ScratchWorkspace;
  let browser: Browser;
  let page: Page;
  let apngBytes: Uint8Array;
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const overlay = () => page.locator('#track-overlay');
  const open = async (name: RegExp) => {
    await page.locator('table.items tbody tr td.name button', { hasText: name }).click();
    await until(() => page.locator('#detail-title').textContent()).toMatch(name);
  };
  /** Where image pixel (x, y) (its centre) is on the screen, from the drawn image's placement. */
  const screenOf = (x: number, y: number) =>
    page.locator('.viewer-image').evaluate(
      (node, [px, py]) => {
        const img = node as unknown as { dataset: Record<string, string>; getBoundingClientRect(): Box };
        const [rx, ry] = img.dataset['region']!.split(',').map(Number) as [number, number];
        const k = Number(img.dataset['scale']);
        const box = img.getBoundingClientRect();
        return { x: box.x + (px + 0.5 - rx) * k, y: box.y + (py + 0.5 - ry) * k };
      },
      [x, y] as const,
    );
  const centreOf = async (selector: string) => {
    const box = (await page.locator(selector).boundingBox()) as Box;
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };

  beforeAll(async () => {
    ws = await serveScratchWorkspace('bioimageit-gui-tracks-', {
      prepare: async ({ dir, kernel, store }) => {
        await mkdir(join(dir, 'incoming'));
        await mkdir(join(dir, 'made'));
        await writeFile(join(dir, 'incoming', 'cell1_tracks.csv'), tracksCsv());
        await writeMips(join(dir, 'made', 'mips.ome.tif'));
        const dot = (f: number) => {
          const rgba = new Uint8ClampedArray(32 * 16 * 4);
          for (let y = 0; y < 16; y++)
            for (let x = 0; x < 32; x++) rgba.set(Math.hypot(x - 4 - 6 * f, y - 8) < 3 ? [255, 200, 40, 255] : [10, 10, 30, 255], (y * 32 + x) * 4);
          return { width: 32, height: 16, rgba };
        };
        apngBytes = encodeApng([dot(0), dot(1), dot(2)], { delayMs: 200 });
        await writeFile(join(dir, 'made', 'mips.png'), apngBytes);
        // The render tool of the showcase, reduced to copying what it would draw: its input is the tracks table.
        await writeFile(
          join(dir, 'tools', 'test.render.tool.json'),
          JSON.stringify({
            id: 'test.render',
            name: 'Render tracks (test)',
            version: '1.0.0',
            description: 'copies a made maximum-projection series and its animation',
            inputs: [{ name: 'tracks', type: 'data' }],
            outputs: [
              { name: 'mips', format: 'imagetiff', extension: 'ome.tif', template: '{input.stem}_mips' },
              { name: 'animation', format: 'imagepng', extension: 'png', template: '{input.stem}_animation' },
            ],
            command: {
              argv: [
                'sh',
                '-c',
                'test -s "$5" && cp "$1" "$3" && cp "$2" "$4"',
                'sh',
                join(dir, 'made', 'mips.ome.tif'),
                join(dir, 'made', 'mips.png'),
                '{outputs.mips}',
                '{outputs.animation}',
                '{inputs.tracks}',
              ],
            },
          }),
        );
        await kernel.importData(store, join(dir, 'incoming'));
        const outcome = await kernel.runTool(store, { tool: 'test.render', inputs: [{ name: 'tracks', dataset: 'data' }], outputDataset: 'rendered' });
        expect(outcome.record.status, JSON.stringify(outcome.record.jobs)).toBe('succeeded');
      },
    });
    browser = await launchChromium(chromiumPath as string);
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => response.status() >= 400 && pageErrors.push(`${response.status()} ${response.url()}`));
    await page.goto(`${ws.server.url}`);
    await page.locator('table.items tbody tr').first().waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ws?.cleanup();
  });

  it('serves the tracks of the series (through the table it was made from) and the animation facts, as documented', async () => {
    const contract = new ContractClient(ws.base, ws.server.document);
    const made = await contract.call('GET', `/api/experiments/${ws.experimentId}/items?dataset=rendered`);
    const byFormat = (format: string) => (made.json.items as { id: string; format: string }[]).find((i) => i.format === format)!.id;
    const tracks = await contract.call('GET', `/api/experiments/${ws.experimentId}/items/${byFormat('imagetiff')}/tracks`);
    expect(tracks.json.source.name).toBe('cell1_tracks.csv');
    expect(tracks.json.spotCount).toBe(14);
    expect(tracks.json.tracks.map((t: { id: string; spots: unknown[] }) => [t.id, t.spots.length])).toEqual([
      ['1', 5],
      ['2', 5],
      ['3', 3],
    ]);
    expect(tracks.json.tracks[0].spots[4]).toEqual([4, 42 * PIXEL_UM, 42 * PIXEL_UM, 0, 8, 1.5]);
    expect(tracks.json.lone).toEqual([[4, 70 * PIXEL_UM, 58 * PIXEL_UM, 0, 8, 1.5]]);
    const info = await contract.call('GET', `/api/experiments/${ws.experimentId}/items/${byFormat('imagepng')}/image`);
    expect(info.json.animation).toEqual({ frames: 3, plays: 0 });
    const series = await contract.call('GET', `/api/experiments/${ws.experimentId}/items/${byFormat('imagetiff')}/image`);
    expect(series.json).toMatchObject({ axes: 'TYX', sizeT: 5, dtype: 'float32' });
    expect(series.json.animation).toBeUndefined();
  });

  it('draws 3 tracks at t=4 where the spots are, in a colour per track, and lists them', async () => {
    await page.locator('#dataset-select').selectOption('rendered');
    await until(() => page.locator('table.items tbody tr').count()).toBe(2);
    await open(/_mips/);
    await overlay().waitFor({ state: 'attached' });
    expect(await page.locator('#tracks-on').isChecked()).toBe(true);
    expect(await page.locator('#track-tail').inputValue()).toBe('10');
    await page.locator('#t-slider').fill('4');
    await until(() => page.locator('#t-value').textContent()).toBe('t 5 / 5');
    expect(await overlay().getAttribute('data-t')).toBe('4');
    expect(await overlay().locator('polyline.track-path').count()).toBe(3);
    // tracks 1 and 2 have a spot in frame 4 (a circle), track 3 ended at frame 3; the lone spot is drawn too
    expect(
      await overlay()
        .locator('circle.track-spot')
        .evaluateAll((cs) => cs.map((c) => (c as unknown as { dataset: { track: string } }).dataset.track)),
    ).toEqual(['1', '2']);
    expect(await overlay().locator('circle.lone-spot').count()).toBe(1);
    for (const id of [1, 2, 3]) expect(await overlay().locator(`polyline[data-track="${id}"]`).getAttribute('stroke')).toBe(colourOf(id));
    expect(new Set([1, 2, 3].map(colourOf)).size).toBe(3);
    const check = async () => {
      for (const [id, [, x, y]] of [
        ['1', TRACKS['1']![4]!],
        ['2', TRACKS['2']![4]!],
      ] as const) {
        const want = await screenOf(x, y);
        const got = await centreOf(`#track-overlay circle[data-track="${id}"]`);
        expect(Math.abs(got.x - want.x), `track ${id} x`).toBeLessThan(1);
        expect(Math.abs(got.y - want.y), `track ${id} y`).toBeLessThan(1);
      }
      // the path of track 1 starts at its spot of frame 0
      const first = await overlay()
        .locator('polyline[data-track="1"]')
        .evaluate((p) => (p as unknown as { getAttribute(n: string): string }).getAttribute('points').split(' ')[0]!.split(',').map(Number));
      const start = await screenOf(10, 10);
      const vp = (await page.locator('.viewer').boundingBox()) as Box;
      expect(Math.abs((first[0] as number) + vp.x - start.x)).toBeLessThan(1);
      expect(Math.abs((first[1] as number) + vp.y - start.y)).toBeLessThan(1);
    };
    await check();
    await shot('tracks-1-overlay-fit');
    // zoomed in and panned: the overlay follows
    await page.locator('#zoom-in').click();
    await page.locator('#zoom-in').click();
    await page.locator('.viewer').focus();
    await page.keyboard.press('ArrowRight');
    await check();
    await page.waitForLoadState('networkidle');
    await shot('tracks-2-overlay-zoomed');
    await page.locator('#zoom-fit').click();

    const rows = page.locator('#track-table tbody tr');
    expect(await rows.count()).toBe(3);
    const table = await rows.evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from((tr as unknown as { querySelectorAll(s: string): { textContent: string }[] }).querySelectorAll('th, td')).map((c) => c.textContent),
      ),
    );
    expect(table).toEqual([
      ['1', '5', '0', '4', '5.657'],
      ['2', '5', '0', '4', '2.5'],
      ['3', '3', '1', '3', '1'],
    ]);
    expect(await page.locator('#track-table caption').textContent()).toBe('3 tracks, 1 lone spots');
    expect(await page.locator('#track-table thead th').last().textContent()).toBe('Mean speed (µm/frame)');
  });

  it('moves the time slider to a track when its row is clicked, and highlights it', async () => {
    await page.locator('#track-table tbody tr[data-track="3"]').click();
    expect(await page.locator('#t-slider').inputValue()).toBe('1');
    await until(() => page.locator('#t-value').textContent()).toBe('t 2 / 5');
    expect(await page.locator('#track-table tbody tr[data-track="3"]').getAttribute('aria-selected')).toBe('true');
    expect(await overlay().locator('circle.track-spot.selected').getAttribute('data-track')).toBe('3');
    expect(await overlay().locator('.dimmed').count()).toBeGreaterThan(0);
    const want = await screenOf(64, 16);
    const got = await centreOf('#track-overlay circle[data-track="3"]');
    expect(Math.abs(got.x - want.x) + Math.abs(got.y - want.y)).toBeLessThan(1.5);
    await page.waitForLoadState('networkidle');
    await shot('tracks-3-selected');
  });

  it('shortens the tails and hides the tracks on request', async () => {
    await page.locator('#track-table tbody tr[data-track="3"]').click();
    expect(await page.locator('#track-table tbody tr[aria-selected="true"]').count()).toBe(0);
    await page.locator('#t-slider').fill('4');
    await page.locator('#track-tail').fill('1');
    await page.locator('#track-tail').press('Enter');
    await until(() =>
      overlay()
        .locator('polyline[data-track="1"]')
        .evaluate((p) => (p as unknown as { getAttribute(n: string): string }).getAttribute('points').split(' ').length),
    ).toBe(2);
    // track 3's last spot (frame 3) is within one frame of t=4: a one-segment path is not drawn from a single spot
    expect(await overlay().locator('polyline[data-track="3"]').count()).toBe(0);
    await page.locator('#tracks-on').uncheck();
    expect(await overlay().locator('*').count()).toBe(0);
    await page.locator('#tracks-on').check();
    expect(await overlay().locator('polyline').count()).toBe(2);
  });

  it('plays the animated PNG as stored', async () => {
    await page.keyboard.press('Escape');
    await open(/_animation$/);
    const image = page.locator('.viewer-image');
    await until(() => image.getAttribute('src')).toContain('/animation.png');
    expect(await page.locator('#animate').isChecked()).toBe(true);
    expect(await page.locator('label[for="animate"]').textContent()).toBe('Play animation (3 frames)');
    // made from the tracks table too, but without a time axis: no tracks drawn over it
    expect(await page.locator('#track-overlay, #tracks-on').count()).toBe(0);
    const served = await image.evaluate(async (img) => {
      const response = await fetch((img as unknown as { src: string }).src);
      return { type: response.headers.get('content-type'), length: (await response.arrayBuffer()).byteLength };
    });
    expect(served).toEqual({ type: 'image/png', length: apngBytes.length });
    await until(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(32);
    await shot('tracks-4-animation');
    await page.locator('#animate').uncheck();
    await until(() => image.getAttribute('src')).toContain('/preview.png?');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
