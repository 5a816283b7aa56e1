import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { skipWithout } from '@bioimageit/core/testing';
import { findChromium, launchChromium, SCREENSHOTS } from '../test-support/browser.js';
import { serveFixture, type ServedFixture } from '../test-support/fixture-workspace.js';

const chromiumPath = findChromium();
const noBrowser = skipWithout('chromium', chromiumPath === undefined ? 'no chromium (or chromium-browser) on PATH' : undefined, import.meta.url);

/**
 * The items table in a real browser marks an item whose data file is gone (a badge by its name, no
 * thumbnail), and its detail panel says so instead of failing on a preview. Screenshot in
 * server/test-output/.
 */
describe.skipIf(noBrowser)('browser GUI: items whose data file is missing', () => {
  let fx: ServedFixture;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fx = await serveFixture('bioimageit-gui-missing-');
    browser = await launchChromium(chromiumPath as string);
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => response.status() >= 500 && pageErrors.push(`${response.status()} ${response.url()}`));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.cleanup();
  });

  it('marks the row of an item whose data file was deleted, and only that one', async () => {
    const store = await fx.kernel.openExperiment(join(fx.dir, 'exp100'));
    const [gone] = await store.items();
    if (gone === undefined) throw new Error('no items');
    await unlink(fileURLToPath(gone.dataUri));
    await page.goto(fx.server.url);
    await page.locator('table.items tbody tr').first().waitFor();
    const row = page.locator(`table.items tbody tr[data-id="${gone.id}"]`);
    expect(await row.getAttribute('class')).toBe('missing');
    expect(await row.locator('.missing-mark').textContent()).toBe('data missing');
    expect(await row.locator('td.thumb-col img').count()).toBe(0);
    expect(await page.locator('table.items tbody tr.missing').count()).toBe(1);
    expect(await page.locator('table.items tbody tr:not(.missing) td.thumb-col img').count()).toBeGreaterThan(0);
    await row.locator('td.name button').click();
    await page.locator('.missing-note').waitFor();
    expect(await page.locator('.missing-note').textContent()).toContain('Its data file does not exist');
    expect(await page.locator('.preview').textContent()).toBe('No preview: the data file is missing.');
    await page.screenshot({ path: join(SCREENSHOTS, 'missing-data.png'), fullPage: true });
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
