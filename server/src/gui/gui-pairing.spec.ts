import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { writeTiff } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { findChromium, launchChromium, SCREENSHOTS } from '../test-support/browser.js';
import { serveScratchWorkspace, type ScratchWorkspace } from '../test-support/scratch-workspace.js';

/** Waits for the GUI (polling `read`): generous, since CI runs many suites at once on few cores. */
const until = <T>(read: () => Promise<T> | T, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });

/** The browser's `getComputedStyle`, typed here (the server's TypeScript has no DOM library). */
interface Styles {
  getComputedStyle(element: unknown): { color: string; backgroundColor: string; getPropertyValue(name: string): string };
  document: { documentElement: unknown; createElement(tag: string): { style: { color: string } } & Record<string, unknown> };
}

const chromiumPath = findChromium();
const noBrowser = skipWithout('chromium', chromiumPath === undefined ? 'no chromium (or chromium-browser) on PATH' : undefined, import.meta.url);

/** A tiny 8×8 stack; its pixels do not matter, the tool only prints its inputs' paths. */
const tiny = (path: string, value: number) => writeTiff(path, { data: new Uint8Array(64).fill(value), shape: [8, 8], dtype: 'uint8', axes: 'YX' });

/**
 * Pairing in the tool form, in a real browser (Debian's Chromium through playwright-core): three
 * stacks tagged Cell/T and one PSF. Selecting them ticks broadcast for the PSF by itself and
 * leaves "pair by" empty (no key is shared by the paired inputs); the run makes one job per stack.
 * A pairing that plans no job shows the server's NOTHING_TO_RUN message in the form, in red, and
 * stores no run. Screenshots go to server/test-output/.
 */
describe.skipIf(noBrowser)('browser GUI: pairing and broadcast in the tool form', () => {
  let ws: ScratchWorkspace;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const runCount = async () => ((await (await fetch(`${ws.base}/api/experiments/${ws.experimentId}/runs`)).json()) as unknown[]).length;

  beforeAll(async () => {
    ws = await serveScratchWorkspace('bioimageit-gui-pairing-', {
      tools: [
        {
          id: 'test.deconvolve',
          name: 'Deconvolve (test)',
          inputs: [
            { name: 'stack', type: 'data', label: 'Stack' },
            { name: 'psf', type: 'data', label: 'PSF' },
          ],
          outputs: [{ name: 'o', format: 'text', extension: 'txt' }],
          command: { argv: ['sh', '-c', 'printf "%s\\n%s\\n" "$1" "$2" > "$3"', 'sh', '{inputs.stack}', '{inputs.psf}', '{outputs.o}'] },
        },
      ],
      prepare: async ({ dir, kernel, store }) => {
        await mkdir(join(dir, 'stacks'));
        await mkdir(join(dir, 'psf'));
        for (const [cell, t] of [
          [1, 0],
          [1, 1],
          [2, 0],
        ])
          await tiny(join(dir, 'stacks', `cell${cell}_t${t}.tif`), 10 * (cell as number) + (t as number));
        await tiny(join(dir, 'psf', 'psf.tif'), 255);
        await kernel.importData(store, join(dir, 'stacks'), {
          tagRules: [
            { kind: 'regex', pattern: 'cell(?<Cell>\\d+)_t(?<T>\\d+)' },
            { kind: 'set', tags: { Kind: 'stack' } },
          ],
        });
        await kernel.importData(store, join(dir, 'psf'), { tagRules: [{ kind: 'set', tags: { Kind: 'psf' } }] });
      },
    });
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

  it('ticks broadcast for the lone PSF, leaves "pair by" empty, and runs one job per stack', async () => {
    await page.locator('#tab-tools').click();
    await page.locator('.tool-button[data-tool="test.deconvolve"]').click();
    await page.locator('#input-stack-query').waitFor();
    await page.locator('#input-stack-query').fill('Kind=stack');
    await page.locator('#input-psf-query').fill('Kind=psf');
    await until(() => page.locator('#input-stack-count').textContent()).toBe('3 items selected');
    await until(() => page.locator('#input-psf-count').textContent()).toBe('1 item selected');
    await until(() => page.locator('#input-psf-broadcast').isChecked()).toBe(true);
    expect(await page.locator('#input-stack-broadcast').isChecked()).toBe(false);
    expect(await page.locator('#match-by').inputValue()).toBe('');
    await page.locator('#output-dataset').fill('deconvolved');
    await shot('pairing-1-broadcast');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const panel = page.locator('.progress-panel').first();
    await panel.waitFor();
    await until(() => panel.getAttribute('data-status'), 60_000).not.toBe('running');
    expect(await panel.getAttribute('data-status')).toBe('succeeded');
    expect(await panel.locator('.run-status').textContent()).toBe('Succeeded: 3 of 3 jobs ended');
    const colours = await panel.locator('.bar-fill').evaluate((bar) => {
      const w = globalThis as unknown as Styles;
      return { bar: w.getComputedStyle(bar).backgroundColor, ok: w.getComputedStyle(w.document.documentElement).getPropertyValue('--ok').trim() };
    });
    expect(colours.bar).toBe(hexToRgb(colours.ok));
    const items = (await (await fetch(`${ws.base}/api/experiments/${ws.experimentId}/items?dataset=deconvolved`)).json()) as { total: number };
    expect(items.total).toBe(3);
    await shot('pairing-2-run-succeeded');
  });

  it('shows a pairing that plans no job in red in the form, and stores no run', async () => {
    const before = await runCount();
    await page.locator('#input-psf-broadcast').uncheck();
    await page.locator('#match-by').fill('Cell, T');
    await page.locator('#output-dataset').fill('nothing');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const error = page.locator('.tool-form .form-error');
    await until(() => error.textContent()).toContain('plans no job');
    const colours = await error.evaluate((node) => {
      const w = globalThis as unknown as Styles;
      return { text: w.getComputedStyle(node).color, bad: w.getComputedStyle(w.document.documentElement).getPropertyValue('--bad').trim() };
    });
    expect(colours.text).toBe(hexToRgb(colours.bad));
    expect(await runCount()).toBe(before);
    expect(await page.locator('.progress-panel').count()).toBe(1);
    await shot('pairing-3-nothing-to-run');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});

/** `#b3261e` → `rgb(179, 38, 30)`, as getComputedStyle writes colours. */
function hexToRgb(hex: string): string {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
