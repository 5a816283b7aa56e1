import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { skipWithout } from '@bioimageit/core/testing';
import { findChromium, launchChromium, SCREENSHOTS } from '../test-support/browser.js';
import { servePipelineWorkspace } from '../test-support/pipeline-workspace.js';
import type { ScratchWorkspace } from '../test-support/scratch-workspace.js';

/** Waits for the GUI (polling `read`): generous, since CI runs many suites at once on few cores. */
const until = <T>(read: () => Promise<T> | T, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });

const chromiumPath = findChromium();
const noBrowser = skipWithout('chromium', chromiumPath === undefined ? 'no chromium (or chromium-browser) on PATH' : undefined, import.meta.url);

/**
 * Pipelines in the Tools tab, in a real browser (Debian's Chromium through playwright-core): the
 * workspace's pipelines are listed with their steps; running blur → threshold (bundled tools) on
 * three images shows each step's status, a progress panel per step run, and links to each step's
 * outputs; a pipeline whose first step fails shows it failed and the next step skipped.
 * Screenshots go to server/test-output/.
 */
describe.skipIf(noBrowser)('browser GUI: pipelines', () => {
  let ws: ScratchWorkspace;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const stepStatus = (step: string) => page.locator(`.pipeline-steps tr[data-step="${step}"] .badge`).textContent();

  beforeAll(async () => {
    ws = await servePipelineWorkspace('bioimageit-gui-pipelines-');
    browser = await launchChromium(chromiumPath as string);
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => response.status() >= 500 && pageErrors.push(`${response.status()} ${response.url()}`));
    await page.goto(ws.server.url);
    await page.locator('table.items tbody tr').first().waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ws?.cleanup();
  });

  it('lists the pipelines with their steps in the Tools tab', async () => {
    await page.locator('#tab-tools').click();
    const button = page.locator('.pipeline-button[data-pipeline="blur-threshold"]');
    await button.waitFor();
    expect(await button.locator('small').textContent()).toBe('blur → threshold');
    expect(await page.locator('.pipeline-button[data-pipeline="broken"] small').textContent()).toBe('broken.json: cannot run');
    await button.click();
    const rows = page.locator('.pipeline-steps tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator('td, th').allTextContents()).toEqual(['1', 'blur', 'bioimageit.gaussian-blur', 'blurred', 'pending', '']);
    expect(await page.locator('#pipeline-title').textContent()).toBe('blur-threshold blur-threshold.json');
  });

  it('runs blur → threshold and shows every step succeeded, with a progress panel per step and links to its outputs', async () => {
    await page.locator('#run-pipeline').click();
    const panel = page.locator('.pipeline-panel');
    await until(() => panel.getAttribute('data-status'), 60_000).toBe('succeeded');
    expect(await stepStatus('blur')).toBe('succeeded');
    expect(await stepStatus('threshold')).toBe('succeeded');
    expect(await page.locator('.pipeline-status').textContent()).toBe('Succeeded: 2 of 2 steps succeeded');
    await until(() => page.locator('.progress-panel').count()).toBe(2);
    await until(() => page.locator('.progress-panel[data-status="succeeded"]').count()).toBe(2);
    expect(await page.locator('.progress-panel .run-status').allTextContents()).toEqual(['Succeeded: 3 of 3 jobs ended', 'Succeeded: 3 of 3 jobs ended']);
    expect(await page.locator('.pipeline-steps tr[data-step="threshold"]').getByRole('button').allTextContents()).toEqual(['Show outputs (mask)', 'Open run']);
    await shot('pipeline-1-succeeded');
    await page.locator('.pipeline-steps tr[data-step="threshold"]').getByRole('button', { name: 'Show outputs (mask)' }).click();
    // the raw dataset also holds 3 items: wait for the switch to the output dataset first
    await until(() => page.locator('#dataset-select').inputValue()).toBe('mask');
    await until(() => page.locator('#item-count').textContent()).toBe('3 items');
  });

  it('shows a failing first step failed, with its error, and the step after it skipped', async () => {
    await page.locator('#tab-tools').click();
    await page.locator('.pipeline-button[data-pipeline="fails-early"]').click();
    await page.locator('#run-pipeline').click();
    const panel = page.locator('.pipeline-panel');
    await until(() => panel.getAttribute('data-status'), 60_000).toBe('failed');
    expect(await stepStatus('break')).toBe('failed');
    expect(await stepStatus('after')).toBe('skipped');
    expect(await page.locator('.pipeline-steps tr[data-step="break"] .step-error').textContent()).toContain('cannot read');
    expect(await page.locator('.pipeline-steps tr[data-step="after"] .hint').textContent()).toBe("step 'break' ended failed");
    expect(await page.locator('.pipeline-steps tr[data-step="after"]').getByRole('button').count()).toBe(0);
    expect(await page.locator('.pipeline-status').textContent()).toMatch(/^Failed: 0 of 2 steps succeeded — step 'break' ended failed/);
    await until(() => page.locator('.progress-panel[data-status="failed"]').count()).toBe(1);
    await shot('pipeline-2-failed');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
