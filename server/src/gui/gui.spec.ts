import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { skipWithout } from '@bioimageit/core/testing';
import { findChromium, launchChromium, SCREENSHOTS } from '../test-support/browser.js';
import { serveFixture, type ServedFixture } from '../test-support/fixture-workspace.js';

/** Waits for the GUI (polling `read`): generous, since CI runs many suites at once on few cores. */
const until = <T>(read: () => Promise<T> | T, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });

const chromiumPath = findChromium();
const noBrowser = skipWithout('chromium', chromiumPath === undefined ? 'no chromium (or chromium-browser) on PATH' : undefined, import.meta.url);

/**
 * The GUI in a real browser (Debian's Chromium through playwright-core), on a copy of exp100:
 * filter, a query error at its column, an inline tag edit, a preview with the z slider, a tool run
 * followed to the end, its outputs' provenance graph and the run history with logs. Screenshots of
 * each screen are written to server/test-output/.
 */
describe.skipIf(noBrowser)('browser GUI', () => {
  let fx: ServedFixture;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const countText = () => page.locator('#item-count').textContent();

  beforeAll(async () => {
    fx = await serveFixture('bioimageit-gui-');
    browser = await launchChromium(chromiumPath as string);
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => response.status() >= 500 && pageErrors.push(`${response.status()} ${response.url()}`));
    console.log(`GUI screenshots: ${SCREENSHOTS}`);
  });
  afterAll(async () => {
    await browser?.close();
    await fx?.cleanup();
  });

  it('opens exp100 and shows its items with one column per tag', async () => {
    await page.goto(fx.server.url);
    await page.locator('table.items tbody tr').first().waitFor();
    expect(await page.locator('#experiment-title').textContent()).toBe('exp100');
    expect(await page.locator('table.items thead th.tag-col').allTextContents()).toEqual(['Population', 'number']);
    expect(await countText()).toBe('101 items');
    await page.evaluate('window.untouched = true');
    await shot('1-data-table');
  });

  it("filters with the query language, and shows a malformed query's error at its column", async () => {
    await page.keyboard.press('/');
    expect(await page.evaluate("document.activeElement?.classList.contains('query-input')")).toBe(true);
    await page.keyboard.type('Population=population1 AND number>2');
    await page.keyboard.press('Enter');
    await until(countText).toBe('49 items match');
    expect(await page.locator('table.items tbody tr').count()).toBe(49);
    await page.locator('.query-input').fill('Population=population1 AND (number>2');
    await page.keyboard.press('Enter');
    await page.locator('.query-caret').waitFor({ state: 'visible' });
    const column = Number(await page.locator('.query-caret').getAttribute('data-column'));
    expect(await page.locator('.query-message').textContent()).toBe(
      `query error at column ${column}: ${(await page.locator('.query-message').textContent())?.split(': ').slice(1).join(': ')}`,
    );
    expect(column).toBeGreaterThan(20);
    expect(await page.locator('.query-input').getAttribute('aria-invalid')).toBe('true');
    await shot('2-query-error');
    await page.locator('.query-input').fill('Population=population1 AND number>2');
    await page.keyboard.press('Enter');
    await until(countText).toBe('49 items match');
  });

  it('edits a tag inline (keyboard only, no reload) and the API sees it', async () => {
    await page.locator('th.add-col button').click();
    await page.keyboard.type('Well');
    await page.keyboard.press('Enter');
    const row = page.locator('table.items tbody tr').first();
    const itemId = await row.getAttribute('data-id');
    const cell = row.locator('td[data-key="Well"]');
    await cell.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('B02');
    await page.keyboard.press('Enter');
    await until(() => page.locator(`tr[data-id="${itemId}"] td[data-key="Well"]`).textContent()).toBe('B02');
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate('document.activeElement.dataset.key')).toBe('number');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement.closest("tr").rowIndex')).toBe(2);
    const item = (await (await fetch(`${fx.base}/api/experiments/${fx.experimentId}/items/${itemId}`)).json()) as { tags: Record<string, string> };
    expect(item.tags.Well).toBe('B02');
    expect(await page.evaluate('window.untouched')).toBe(true);
    await page.locator('.query-input').fill('Well=B02');
    await page.keyboard.press('Enter');
    await until(countText).toBe('1 item match');
    await shot('3-tag-edited');
    await page.locator('.query-input').fill('Population=population2 AND number<=10');
    await page.keyboard.press('Enter');
    await until(countText).toBe('5 items match');
    await page.locator('#bulk-key').fill('Treatment');
    await page.locator('#bulk-value').fill('control');
    await page.keyboard.press('Enter');
    await until(() => page.locator('#toast').textContent()).toBe('Set Treatment = control on 5 of 5 items');
    await until(() => page.locator('table.items td[data-key="Treatment"]').allTextContents()).toEqual(['control', 'control', 'control', 'control', 'control']);
  });

  it('previews a z-stack with the z slider and the maximum projection', async () => {
    await page.locator('.query-input').fill('Population=stacks');
    await page.keyboard.press('Enter');
    await until(countText).toBe('1 item match');
    await page.locator('table.items tbody tr td.name button').first().click();
    const image = page.locator('.preview-image');
    await image.waitFor();
    // drawn at the size shown: as many image pixels as the box it fills has device pixels
    await until(() =>
      image.evaluate((node) => {
        const img = node as unknown as { naturalWidth: number; getBoundingClientRect(): { width: number } };
        return img.naturalWidth > 0 && Math.abs(img.naturalWidth - Math.round(img.getBoundingClientRect().width)) <= 1;
      }),
    ).toBe(true);
    const before = await image.getAttribute('src');
    expect(await page.locator('#z-value').textContent()).toBe('z 3 / 5');
    await page.locator('#z-slider').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#z-value').textContent()).toBe('z 4 / 5');
    expect(await image.getAttribute('src')).not.toBe(before);
    await until(() => image.evaluate((img) => (img as unknown as { complete: boolean }).complete)).toBe(true);
    await shot('4-item-preview');
    await page.locator('#mip').check();
    expect(await page.locator('#z-value').textContent()).toBe('max projection');
    expect(await image.getAttribute('src')).toContain('projection=max');
    await page.keyboard.press('Escape');
    expect(await page.locator('#detail').isHidden()).toBe(true);
  });

  it('runs a tool from its generated form and follows its progress bar to the end', async () => {
    await page.locator('#tab-tools').click();
    await page.locator('.tool-button[data-tool="bioimageit.summarize"]').click();
    await page.locator('#group-by').waitFor();
    expect(await page.locator('#match-by').count()).toBe(0);
    await page.locator('.tool-button[data-tool="bioimageit.threshold"]').click();
    await page.locator('#param-method').waitFor();
    expect(await page.locator('#group-by').count()).toBe(0);
    expect(await page.locator('#param-method option').allTextContents()).toEqual(['Otsu (automatic)', 'Fixed value']);
    await page.locator('#input-image-query').fill('Population=population1 AND number<');
    await until(() => page.locator('#input-image-count').textContent()).toMatch(/^query error at column \d+/);
    expect(Number(await page.locator('.data-input .query-caret').getAttribute('data-column'))).toBeGreaterThan(30);
    await page.locator('#input-image-query').fill('Population=population1 AND number<10');
    await until(() => page.locator('#input-image-count').textContent()).toBe('5 items selected');
    expect(await page.locator('.data-input .query-caret').isHidden()).toBe(true);
    await page.locator('#output-dataset').fill('masks');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const panel = page.locator('.progress-panel').first();
    await panel.waitFor();
    await until(() => panel.getAttribute('data-status'), 60_000).not.toBe('running');
    const runs = (await (await fetch(`${fx.base}/api/experiments/${fx.experimentId}/runs`)).json()) as { id: string }[];
    const last = (await (await fetch(`${fx.base}/api/experiments/${fx.experimentId}/runs/${runs.at(-1)?.id}`)).json()) as { record: { jobs: unknown[] } };
    expect(await panel.getAttribute('data-status'), JSON.stringify(last.record.jobs[0])).toBe('succeeded');
    expect(await panel.locator('[role=progressbar]').getAttribute('aria-valuenow')).toBe('100');
    expect(await panel.locator('.run-status').textContent()).toBe('Succeeded: 5 of 5 jobs ended');
    await shot('5-tool-run');
  });

  it('opens an output and shows how it was made: input → run → output', async () => {
    await page.getByRole('button', { name: 'Show outputs (masks)' }).click();
    await until(countText).toBe('5 items');
    await page.locator('table.items tbody tr td.name button').first().click();
    const graph = page.locator('svg.lineage');
    await graph.waitFor();
    expect(await graph.locator('.node.item').count()).toBe(2);
    expect(await graph.locator('.node.job .title').textContent()).toBe('Threshold 1.0.0');
    expect(await graph.locator('.edge').count()).toBe(2);
    await graph.scrollIntoViewIfNeeded();
    await shot('6-provenance');
    await graph.locator('.node.item:not(.root)').click();
    await until(() => page.locator('#detail-title').textContent()).toMatch(/^population1_/);
  });

  it('lists the run in the history with its jobs and logs', async () => {
    await page.locator('#tab-runs').click();
    const row = page.locator('table.runs tbody tr').first();
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('succeeded');
    await row.locator('button').click();
    await page.locator('table.jobs tbody tr').first().waitFor();
    expect(await page.locator('table.jobs tbody tr').count()).toBe(5);
    await page.locator('table.jobs tbody tr').first().getByRole('button', { name: 'stdout' }).click();
    await until(() => page.locator('pre.log').textContent()).toContain('threshold (otsu)');
    await shot('7-run-history');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});

/** The GUI of a server that requires a token: the printed address logs the browser in with a cookie. */
describe.skipIf(noBrowser)('browser GUI with a token', () => {
  let fx: ServedFixture;
  let browser: Browser;

  beforeAll(async () => {
    fx = await serveFixture('bioimageit-gui-token-', { token: 'gui-token-1234' });
    browser = await launchChromium(chromiumPath as string);
  });
  afterAll(async () => {
    await browser?.close();
    await fx?.cleanup();
  });

  it('opens with the printed address, keeps the token out of the address bar, and works', async () => {
    const page = await browser.newPage();
    expect(fx.server.openUrl).toBe(`${fx.server.url}?token=gui-token-1234`);
    await page.goto(fx.server.openUrl);
    await page.locator('table.items tbody tr').first().waitFor();
    expect(page.url()).toBe(`${fx.server.url}#/${fx.experimentId}/data`);
    expect(await page.locator('#item-count').textContent()).toBe('101 items');
    await page.close();
  });

  it('without the token the GUI says how to get in, and the API answers 401', async () => {
    const page = await browser.newPage();
    await page.goto(fx.server.url);
    await until(() => page.locator('#toast').textContent()).toContain('This server needs a token');
    expect((await fetch(`${fx.base}/api/experiments`)).status).toBe(401);
    await page.close();
  });
});
