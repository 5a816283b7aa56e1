import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, defaultConfig } from '@bioimageit/core';
import { DEFAULT_PLUGINS } from '@bioimageit/cli';
import { cli, REPO, tempDir } from './cli-harness.js';
import { BUILT_CLI, startCli } from './cli-process.js';
import { fuzzCorpus, writeCorpus } from './fuzz/fuzz-corpus.js';
import type { CorpusFile } from '@bioimageit/core/testing';

/**
 * Issue 16's fuzz suite: ≥ 300 mutated TIFFs plus the hand-made hostile files, imported each alone
 * (a child process: import and thumbnail per file) and all together (the built CLI, thumbnails
 * on). Every file imports or gets a per-file error naming it; no crash, no hang; the batch
 * completes; peak RSS stays under 512 MiB; the experiment opens afterwards. Per-file times are
 * printed with the counts (a hang is anything past 20 s; the target is 2 s a file).
 */
const MUTATED = 320;
const RSS_BOUND_KIB = 512 * 1024;

let dir: { path: string; cleanup: () => Promise<void> };
let corpus: CorpusFile[];
let ws: string;
beforeAll(async () => {
  dir = await tempDir('biit-fuzz-');
  corpus = await fuzzCorpus(MUTATED, 16);
  ws = join(dir.path, 'ws');
  expect((await cli(dir.path, ['init', ws])).code).toBe(0);
  expect((await cli(ws, ['experiment', 'create', 'alone'])).code).toBe(0);
  expect((await cli(ws, ['experiment', 'create', 'together'])).code).toBe(0);
}, 120_000);
afterAll(async () => dir?.cleanup());

describe('import fuzz suite (issue 16)', () => {
  it(`imports ${MUTATED} mutated and every hand-made hostile TIFF each alone: imported or a per-file error naming it`, async () => {
    const folder = join(dir.path, 'each');
    await writeCorpus(folder, corpus);
    const script = join(REPO, 'tests/src/fuzz/import-each.ts');
    const run = await startCli(['--conditions=source', '--import', 'tsx', script], [ws, 'alone', folder], ws).done;
    const last = run.stdout.trim().split('\n').pop() ?? '{}';
    const outcome = JSON.parse(last) as {
      hang?: string;
      results: { name: string; outcome: string; ms: number; error?: string }[];
      maxRssKiB?: number;
    };
    expect(outcome.hang, `hung on ${outcome.hang}`).toBeUndefined();
    expect(run.code, run.stderr).toBe(0);
    const results = outcome.results;
    const crashed = results.filter((r) => r.outcome === 'crashed');
    const failed = results.filter((r) => r.outcome === 'failed');
    const imported = results.filter((r) => r.outcome === 'imported');
    const slowest = [...results].sort((a, b) => b.ms - a.ms)[0]!;
    process.stderr.write(
      `fuzz each alone: tried ${results.length}, imported ${imported.length}, per-file errors ${failed.length}, crashes ${crashed.length}, ` +
        `hangs 0; slowest ${slowest.name} ${slowest.ms.toFixed(0)} ms, over 2 s: ${results.filter((r) => r.ms > 2000).length}; ` +
        `peak RSS ${((outcome.maxRssKiB ?? 0) / 1024).toFixed(0)} MiB\n`,
    );
    expect(crashed).toEqual([]);
    expect(results).toHaveLength(corpus.length);
    for (const f of failed) expect(f.error, `the error of ${f.name} names it`).toContain(f.name);
    expect(imported.length).toBeGreaterThanOrEqual(corpus.filter((f) => f.how === 'valid seed').length);
    const byName = new Map(results.map((r) => [r.name, r]));
    expect(byName.get('deflate_bomb_32768.tif')?.outcome).toBe('imported');
    expect(byName.get('declared_imagej_1e9.tif')?.outcome).toBe('imported');
    expect(byName.get('scan..2.tif')?.outcome).toBe('imported');
    expect(outcome.maxRssKiB).toBeLessThan(RSS_BOUND_KIB);
  }, 600_000);

  it('imports them all together through the CLI: the batch completes, RSS stays bounded, the experiment opens', async () => {
    const folder = join(dir.path, 'together');
    await writeCorpus(folder, corpus);
    const rssFile = join(dir.path, 'together.rss');
    const run = await startCli(['--import', join(REPO, 'tests/src/fuzz/peak-rss.mjs'), ...BUILT_CLI], ['import', folder, '-e', 'together', '--json'], ws, {
      BIOIMAGEIT_PEAK_RSS_FILE: rssFile,
    }).done;
    expect(run.signal).toBeNull();
    expect([0, 1]).toContain(run.code);
    expect(run.stderr).not.toMatch(/internal error|heap out of memory|Maximum call stack/);
    const report = JSON.parse(run.stdout) as { imported: number; failed: { path: string; error: string }[]; renamed: { path: string; name: string }[] };
    const peakKiB = Number(await readFile(rssFile, 'utf8'));
    process.stderr.write(
      `fuzz all together: tried ${corpus.length}, imported ${report.imported}, per-file errors ${report.failed.length}, renamed ${report.renamed.length}, ` +
        `exit ${run.code}; peak RSS ${(peakKiB / 1024).toFixed(0)} MiB\n`,
    );
    expect(report.imported + report.failed.length).toBe(corpus.length);
    for (const f of report.failed) expect(f.error).toContain(f.path);
    expect(report.renamed.map((r) => r.name).sort()).toEqual(expect.arrayContaining(['bell_ring.tif', 'back_slash.tif', 'scan_2.tif']));
    expect(peakKiB).toBeLessThan(RSS_BOUND_KIB);
    const kernel = await createKernel({ config: defaultConfig(ws, 'checker', DEFAULT_PLUGINS) });
    try {
      const items = await (await kernel.openExperiment(join(ws, 'together'))).items();
      expect(items).toHaveLength(report.imported);
      const renamed = items.find((i) => i.name === 'scan_2.tif');
      expect(renamed?.metadata['originalName']).toBe('scan..2.tif');
    } finally {
      await kernel.dispose();
    }
    const count = await cli(ws, ['query', '-e', 'together', '--count']);
    expect([count.code, count.stdout.trim()]).toEqual([0, String(report.imported)]);
  }, 600_000);
});
