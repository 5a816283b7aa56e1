import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { skipWithout } from '@bioimageit/core/testing';
import { findChromium, launchChromium, SCREENSHOTS } from '../test-support/browser.js';
import { servePreviewWorkspace, type PreviewFixture } from '../test-support/preview-workspace.js';

/** Waits for the GUI (polling `read`): generous, since CI runs many suites at once on few cores. */
const until = <T>(read: () => Promise<T> | T, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });

/** The browser's `getComputedStyle`, typed here (the server's TypeScript has no DOM library). */
interface Styles {
  getComputedStyle(element: unknown): { textAlign: string };
}

const chromiumPath = findChromium();
const noBrowser = skipWithout('chromium', chromiumPath === undefined ? 'no chromium (or chromium-browser) on PATH' : undefined, import.meta.url);

/**
 * Item previews in a real browser (Debian's Chromium through playwright-core) on a workspace of
 * CSV/TSV, PNG and JPEG items: a CSV shows its header and first rows with "load more", PNG and
 * JPEG items show their rendered image. Screenshots go to server/test-output/.
 */
describe.skipIf(noBrowser)('browser GUI: table and image previews', () => {
  let fx: PreviewFixture;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const open = async (name: string) => {
    await page.locator('table.items tbody tr td.name button', { hasText: name }).click();
    await until(() => page.locator('#detail-title').textContent()).toBe(name);
  };

  beforeAll(async () => {
    fx = await servePreviewWorkspace('bioimageit-gui-previews-');
    browser = await launchChromium(chromiumPath as string);
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => response.status() >= 500 && pageErrors.push(`${response.status()} ${response.url()}`));
    await page.goto(fx.server.url);
    await page.locator('table.items tbody tr').first().waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.cleanup();
  });

  it('shows a CSV item as a table: header, first 50 rows, numbers right-aligned, and loads more', async () => {
    await open('quoted.csv');
    const preview = page.locator('.preview table.table-preview');
    await preview.waitFor();
    expect(await preview.locator('thead th[scope=col]').allTextContents()).toEqual(['Row', 'id', 'name', 'area', 'comment']);
    const rows = preview.locator('tbody tr');
    expect(await rows.count()).toBe(50);
    expect(await rows.nth(0).locator('td').allTextContents()).toEqual(['1', 'Smith, John', '12.5', 'said "hi"']);
    expect(await rows.nth(1).locator('td').nth(3).textContent()).toBe('two\nlines');
    expect(await rows.nth(0).locator('th[scope=row]').textContent()).toBe('1');
    expect(await preview.locator('caption').textContent()).toBe('quoted.csv: 60 rows, 4 columns');
    const align = (cell: number) =>
      rows
        .nth(0)
        .locator('td')
        .nth(cell)
        .evaluate((td) => (globalThis as unknown as Styles).getComputedStyle(td).textAlign);
    expect(await align(2)).toBe('right');
    expect(await align(1)).toBe('left');
    expect(await page.locator('.table-more').textContent()).toBe('10 more rows');
    expect(await page.locator('.preview-image').count()).toBe(0);
    await shot('table-preview');
    await page.getByRole('button', { name: 'Load 50 more rows' }).click();
    await until(() => rows.count()).toBe(60);
    expect(await rows.nth(59).locator('td').first().textContent()).toBe('60');
    expect(await page.locator('.table-more').textContent()).toBe('60 rows, all shown');
    expect(await page.locator('.table-load-more').isHidden()).toBe(true);
  });

  it('scrolls a wide table sideways and keeps its header in view when scrolled down', async () => {
    await open('wide.csv');
    const box = page.locator('.preview .table-preview-scroll');
    await box.locator('tbody tr').first().waitFor();
    expect(await box.getAttribute('role')).toBe('region');
    const sizes = await box.evaluate((el) => {
      const e = el as unknown as { scrollWidth: number; clientWidth: number; scrollHeight: number; clientHeight: number };
      return { wide: e.scrollWidth > e.clientWidth, tall: e.scrollHeight > e.clientHeight };
    });
    expect(sizes).toEqual({ wide: true, tall: true });
    await box.evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 400));
    const boxTop = (await box.boundingBox())?.y ?? NaN;
    const headTop = (await box.locator('thead th').nth(1).boundingBox())?.y ?? NaN;
    expect(Math.abs(headTop - boxTop)).toBeLessThan(3);
    await box.evaluate((el) => ((el as unknown as { scrollLeft: number }).scrollLeft = 300));
    const boxLeft = (await box.boundingBox())?.x ?? NaN;
    const rowNumber = box.locator('tbody tr').nth(25).locator('th[scope=row]');
    expect(Math.abs(((await rowNumber.boundingBox())?.x ?? NaN) - boxLeft)).toBeLessThan(3);
    expect(await page.locator('.table-more').textContent()).toBe('70 more rows');
    await shot('table-preview-wide');
  });

  it("shows a binary '.csv' file's error instead of a table", async () => {
    await open('binary.csv');
    await until(() => page.locator('.preview .hint').textContent()).toMatch(/^binary\.csv: line \d+ holds binary data/);
    expect(await page.locator('.preview table').count()).toBe(0);
  });

  it.each([
    ['rgb8.png', 'png-preview'],
    ['grey16.png', undefined],
    ['photo.jpg', 'jpeg-preview'],
  ])('shows %s as an image preview', async (name, screenshot) => {
    await open(name);
    const image = page.locator('.preview-image');
    await image.waitFor();
    await until(() => image.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    expect(await image.getAttribute('src')).toContain('/preview.png?');
    expect(await page.locator('.preview table.table-preview').count()).toBe(0);
    if (screenshot !== undefined) await shot(screenshot);
  });

  it('raised no page errors and no server errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
