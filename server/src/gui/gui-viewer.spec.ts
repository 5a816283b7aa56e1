import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createKernel, writeTiff, type Kernel } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { startServer, type RunningServer } from '../start-server.js';
import { findChromium, launchChromium, SCREENSHOTS } from '../test-support/browser.js';

/** Waits for the GUI (polling `read`): generous, since CI runs many suites at once on few cores. */
const until = <T>(read: () => Promise<T> | T, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });

const chromiumPath = findChromium();
const noBrowser = skipWithout('chromium', chromiumPath === undefined ? 'no chromium (or chromium-browser) on PATH' : undefined, import.meta.url);

/** The generated stack: ZCYX 5×3×96×120 uint16, 0.5 µm pixels; channel c lights a 16×16 square at SPOTS[c] on z-plane 2 only. */
const [DEPTH, HEIGHT, WIDTH] = [5, 96, 120];
const SPOTS = [
  { name: 'DAPI', color: '#0000ff', x: 10, y: 10 },
  { name: 'GFP', color: '#00ff00', x: 60, y: 10 },
  { name: 'Cy5', color: '#ff00ff', x: 10, y: 60 },
] as const;
const PIXEL_UM = 0.5;

async function writeSpots(path: string): Promise<void> {
  const data = new Uint16Array(DEPTH * 3 * HEIGHT * WIDTH);
  for (let z = 0; z < DEPTH; z++)
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < HEIGHT; y++)
        for (let x = 0; x < WIDTH; x++) {
          const s = SPOTS[c]!;
          const lit = z === 2 && x >= s.x && x < s.x + 16 && y >= s.y && y < s.y + 16;
          // low noise everywhere (0..39): a window stretched per plane would show it as salt and pepper
          data[((z * 3 + c) * HEIGHT + y) * WIDTH + x] = lit ? 3000 + c * 500 : (x * 7 + y * 13 + z * 5 + c) % 40;
        }
  await writeTiff(
    path,
    {
      data,
      shape: [DEPTH, 3, HEIGHT, WIDTH],
      axes: 'ZCYX',
      dtype: 'uint16',
      physicalSize: { x: { value: PIXEL_UM, unit: 'µm' }, y: { value: PIXEL_UM, unit: 'µm' }, z: { value: 1, unit: 'µm' } },
    },
    { ome: true, channels: SPOTS.map(({ name, color }) => ({ name, color })) },
  );
}

/**
 * The image viewer in a real browser (Debian's Chromium through playwright-core) on a generated
 * 3-channel ZCYX OME-TIFF with a known spot per channel: the composite shows each channel in its
 * colour (pixels read back from the image shown), toggling a channel removes its colour, the
 * display range stays fixed across z (a plane of noise stays dark), the scale bar's length
 * matches the pixel size, zoom fetches the region shown at the size shown, and the table's
 * thumbnail is the same composite. Screenshots go to server/test-output/.
 */
describe.skipIf(noBrowser)('browser GUI: image viewer', () => {
  let dir: string;
  let kernel: Kernel;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const image = () => page.locator('.viewer-image');

  /** RGB at image pixel (x, y) of the plane shown, read back from the PNG the viewer displays (through a canvas). */
  const rgbAt = (x: number, y: number) =>
    image().evaluate(
      (node, [px, py]) => {
        const img = node as unknown as { naturalWidth: number; naturalHeight: number; dataset: Record<string, string> };
        const [rx, ry, rw, rh] = img.dataset['region']!.split(',').map(Number) as [number, number, number, number];
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const doc = (globalThis as any).document;
        const canvas = doc.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        const cx = Math.floor(((px - rx + 0.5) * img.naturalWidth) / rw);
        const cy = Math.floor(((py - ry + 0.5) * img.naturalHeight) / rh);
        return Array.from(context.getImageData(cx, cy, 1, 1).data as number[]).slice(0, 3);
      },
      [x, y] as const,
    );
  /** An RGB triple as levels: `hi` above 200, `lo` below 40 (the background noise adds a few), else `mid`. */
  const levels = (rgb: readonly number[]) => rgb.map((v) => (v > 200 ? 'hi' : v < 40 ? 'lo' : 'mid')).join(' ');
  const colourAt = async (x: number, y: number) => levels(await rgbAt(x, y));
  /** Waits until the image shown is the latest one asked for and fully loaded. */
  const settled = async () => {
    await until(() =>
      image().evaluate((node) => {
        const img = node as unknown as { complete: boolean; naturalWidth: number };
        return img.complete && img.naturalWidth > 0;
      }),
    ).toBe(true);
    // the viewer fetches one image at a time: wait for the queue to drain
    await page.waitForLoadState('networkidle');
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bioimageit-gui-viewer-'));
    await writeFile(join(dir, 'bioimageit.config.json'), JSON.stringify({ user: { name: 'tester' }, experiments: '.', plugins: ['@bioimageit/local-fs'] }));
    await mkdir(join(dir, 'incoming'));
    await writeSpots(join(dir, 'incoming', 'spots.ome.tif'));
    kernel = await createKernel({ workspace: dir, env: {} });
    const store = await kernel.createExperiment({ name: 'viewer', author: 'tester' });
    const report = await kernel.importData(store, join(dir, 'incoming'));
    expect(report.failed).toEqual([]);
    server = await startServer({ kernel, port: 0, log: () => undefined });
    browser = await launchChromium(chromiumPath as string);
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => response.status() >= 400 && pageErrors.push(`${response.status()} ${response.url()}`));
    await page.goto(server.url);
    await page.locator('table.items tbody tr').first().waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await kernel?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("shows the thumbnail as a composite of the channels' maximum projections, large enough to see the sample", async () => {
    const thumb = page.locator('table.items td.thumb-col img').first();
    await until(() => thumb.evaluate((node) => (node as unknown as { naturalWidth: number }).naturalWidth)).toBe(128);
    const colours = await thumb.evaluate((node) => {
      const img = node as unknown as { naturalWidth: number; naturalHeight: number };
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const canvas = (globalThis as any).document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(img, 0, 0);
      const at = (x: number, y: number) =>
        Array.from(context.getImageData(Math.floor((x * 128) / 120), Math.floor((y * 128) / 120), 1, 1).data as number[]).slice(0, 3);
      return [at(18, 18), at(68, 18), at(18, 68), at(100, 80)];
    });
    expect(colours.map(levels)).toEqual(['lo lo hi', 'lo hi lo', 'hi lo hi', 'lo lo lo']);
  });

  it('shows the composite: each channel in its colour at its spot, with its name and the stack window', async () => {
    await page.locator('table.items tbody tr td.name button', { hasText: 'spots.ome.tif' }).click();
    await image().waitFor();
    await until(() => page.locator('#z-value').textContent()).toBe('z 3 / 5');
    await settled();
    expect(await page.locator('#channels tbody th').allTextContents()).toEqual(['DAPI', 'GFP', 'Cy5']);
    expect(await page.locator('#channels input[type=color]').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).toEqual([
      '#0000ff',
      '#00ff00',
      '#ff00ff',
    ]);
    expect(await colourAt(SPOTS[0].x + 8, SPOTS[0].y + 8)).toEqual('lo lo hi');
    expect(await colourAt(SPOTS[1].x + 8, SPOTS[1].y + 8)).toEqual('lo hi lo');
    expect(await colourAt(SPOTS[2].x + 8, SPOTS[2].y + 8)).toEqual('hi lo hi');
    // the image is drawn at the size shown (device pixels of the box it fills)
    const [natural, shown] = await image().evaluate((node) => {
      const img = node as unknown as { naturalWidth: number; getBoundingClientRect(): { width: number } };
      return [img.naturalWidth, Math.round(img.getBoundingClientRect().width)];
    });
    expect(Math.abs(natural - shown)).toBeLessThanOrEqual(1);
    await shot('viewer-1-composite');
  });

  it('removes a channel from the composite when it is toggled off, and brings it back', async () => {
    await page.locator('#channel-1-on').uncheck();
    await until(() => image().getAttribute('src')).toContain('-2%7C');
    await settled();
    expect(await colourAt(SPOTS[1].x + 8, SPOTS[1].y + 8)).toEqual('lo lo lo');
    expect(await colourAt(SPOTS[0].x + 8, SPOTS[0].y + 8)).toEqual('lo lo hi');
    await shot('viewer-2-gfp-off');
    await page.locator('#channel-1-on').check();
    await settled();
    expect(await colourAt(SPOTS[1].x + 8, SPOTS[1].y + 8)).toEqual('lo hi lo');
  });

  it('keeps the display range across z: a plane of noise stays dark', async () => {
    const windows = () => page.locator('#channels .window-input').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
    const before = await windows();
    await page.locator('#z-slider').focus();
    await page.keyboard.press('Home');
    await until(() => page.locator('#z-value').textContent()).toBe('z 1 / 5');
    await settled();
    expect(await windows()).toEqual(before);
    // noise of 0..39 against a window ending at ≥ 3000: at most 4 levels of 255 in any pixel looked at
    for (const [x, y] of [
      [5, 5],
      [18, 18],
      [70, 50],
      [119, 95],
    ] as const)
      for (const v of await rgbAt(x, y)) expect(v).toBeLessThanOrEqual(4);
    await shot('viewer-3-noise-plane');
    // a narrower range set by hand shows the noise
    await page.locator('#channel-0-end').fill('40');
    await page.locator('#channel-0-end').press('Enter');
    await until(() => image().getAttribute('src')).toContain('1%7C0%3A40');
    await settled();
    expect((await rgbAt(5, 5))[2]).toBeGreaterThan(50);
    await page.getByRole('button', { name: 'Reset the range of DAPI' }).click();
    expect(await windows()).toEqual(before);
    await page.locator('#z-slider').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await until(() => page.locator('#z-value').textContent()).toBe('z 3 / 5');
    await settled();
  });

  it('draws a scale bar whose length matches the physical pixel size', async () => {
    const bar = page.locator('#scale-bar');
    expect(await bar.isVisible()).toBe(true);
    const length = Number(await bar.getAttribute('data-length'));
    expect(await bar.getAttribute('data-unit')).toBe('µm');
    expect(await bar.locator('.scale-bar-label').textContent()).toBe(`${length} µm`);
    const scale = Number(await image().getAttribute('data-scale')); // CSS pixels per image pixel
    const width = (await bar.locator('.scale-bar-line').boundingBox())!.width;
    expect(width).toBeCloseTo((length / PIXEL_UM) * scale, 0);
    // the same bar over the image: as many image pixels as length / pixel size
    expect([1, 2, 5, 10, 20, 50]).toContain(length);
  });

  it('zooms in at full resolution (the region shown, fetched at the size shown) and pans by dragging', async () => {
    await page.locator('#zoom-in').click();
    await page.locator('#zoom-in').click();
    await page.locator('#zoom-in').click();
    await settled();
    const region = (await image().getAttribute('data-region'))!.split(',').map(Number);
    expect(region[2]).toBeLessThan(WIDTH);
    const [natural, shown] = await image().evaluate((node) => {
      const img = node as unknown as { naturalWidth: number; getBoundingClientRect(): { width: number } };
      return [img.naturalWidth, Math.round(img.getBoundingClientRect().width)];
    });
    expect(Math.abs(natural - shown)).toBeLessThanOrEqual(1);
    expect(natural / region[2]!).toBeGreaterThan(8); // several screen pixels per image pixel: full resolution and more
    const src = (await image().getAttribute('src'))!;
    expect(src).toContain(`region=${region.join('%2C')}`);
    // drag right by 100 px: the view moves left over the image
    const box = (await page.locator('.viewer').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 100, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await settled();
    const moved = (await image().getAttribute('data-region'))!.split(',').map(Number);
    expect(moved[0]).toBeLessThan(region[0]!);
    // the scale bar follows the zoom
    const scale = Number(await image().getAttribute('data-scale'));
    const length = Number(await page.locator('#scale-bar').getAttribute('data-length'));
    expect((await page.locator('.scale-bar-line').boundingBox())!.width).toBeCloseTo((length / PIXEL_UM) * scale, 0);
    await shot('viewer-4-zoomed');
    await page.locator('#zoom-fit').click();
    await settled();
    expect(await image().getAttribute('data-region')).toBe(`0,0,${WIDTH},${HEIGHT}`);
    expect(pageErrors).toEqual([]);
  });
});
