import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { addV1ProcessedDataset, skipWithout } from '@bioimageit/core/testing';
import { findChromium, launchChromium, SCREENSHOTS } from '../test-support/browser.js';
import { REPO, serveFixture, type ServedFixture } from '../test-support/fixture-workspace.js';

const chromiumPath = findChromium();
const noBrowser = skipWithout('chromium', chromiumPath === undefined ? 'no chromium (or chromium-browser) on PATH' : undefined, import.meta.url);

/**
 * The run history of a v1 experiment in a real browser: the runs v1 wrote read `unknown (recorded
 * by BioImageIT v1)`, show no runner or times, and a failed-but-registered run lists its outputs
 * with their inputs, each marked missing. Screenshot in server/test-output/.
 */
describe.skipIf(noBrowser)('browser GUI: v1 run history', () => {
  let fx: ServedFixture;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fx = await serveFixture('bioimageit-gui-history-');
    await addV1ProcessedDataset(join(fx.dir, 'exp100'), join(REPO, 'tests/fixtures/v1/failed-run/failed'));
    browser = await launchChromium(chromiumPath as string);
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => response.status() >= 500 && pageErrors.push(`${response.status()} ${response.url()}`));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.cleanup();
  });

  it('shows a failed v1 run honestly, its never-written outputs marked missing', async () => {
    await page.goto(fx.server.url);
    await page.locator('table.items tbody tr').first().waitFor();
    await page.locator('#tab-runs').click();
    const row = page.locator('table.runs tbody tr[data-run="119ae063-d920-45c1-9aab-ded5748da3b2"]');
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('unknown (recorded by BioImageIT v1)');
    await row.locator('button').click();
    await page.locator('table.outputs tbody tr').first().waitFor();
    const facts = await page.locator('.run-details dl.facts-grid dt').allTextContents();
    expect(facts).toEqual(['Status', 'Tool', 'Parameters', 'Inputs', 'Outputs']);
    expect(await page.locator('.run-details dl.facts-grid dd').last().textContent()).toBe('3 item(s), 3 missing (data file never written or removed)');
    const rows = await page.locator('table.outputs tbody tr').allTextContents();
    expect(rows.sort()).toEqual([1, 3, 5].map((n) => `o_population1_00${n}i=population1_00${n}.tifmissing`));
    await page.screenshot({ path: join(SCREENSHOTS, 'v1-run-history.png'), fullPage: true });
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
