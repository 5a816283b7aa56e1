/**
 * Data-management benchmark (`npm run bench:data`): import + tag of 1,000 and of 10,000 small
 * synthetic TIFFs, each with thumbnails off and on side by side, and a query over 100,000 items,
 * in one run on this machine.
 * Targets (issue: kernel/local-fs/CLI): 10,000 files imported and tagged in <= 10 s, the
 * 10,000/1,000 time ratio <= 12 (no quadratic growth), the query <= 50 ms; (issue 21 item 7)
 * import + tag with thumbnails on <= 1.3 x the time with them off.
 * v1 (Python BioImageIT 0.2.0) took 6.5 s for 1,000 files and over 10 minutes for 10,000.
 *
 * Usage: npm run bench:data [-- --keep] [-- --sizes 1000,10000] [-- --query-items 100000] [-- --repeat 1]
 *        [-- --plugins @bioimageit/local-fs]   (the plugins "off" runs with, default: the embedded default
 *        plugins, local-fs only; "on" adds @bioimageit/thumbnails)
 * With thumbnails on, thumbnails are drawn in the background (worker threads) and saved once the
 * import settles; "then thumbnails settled" is the further wait in `kernel.dispose()` until every
 * one is stored (what a CLI command waits for), and "until thumbnails exist" the sum.
 * With --repeat N each size runs N off/on pairs (alternating) and prints medians.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createKernel, defaultConfig, encodeTiff, type Kernel } from '@bioimageit/core';
import { writeSyntheticV1Experiment } from '@bioimageit/core/testing';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const sizes = (flag('--sizes') ?? '1000,10000').split(',').map(Number);
const queryItems = Number(flag('--query-items') ?? 100_000);
const repeat = Math.max(1, Number(flag('--repeat') ?? 1));
const root = join(tmpdir(), `biit-bench-${process.pid}`);
const THUMBNAILS = '@bioimageit/thumbnails';
const MAX_RATIO = 1.3;
const plugins = flag('--plugins')
  ?.split(',')
  .filter((p) => p !== '');
const benchConfig = (workspace: string) => ({ ...defaultConfig(workspace, 'bench', ['@bioimageit/local-fs']), ...(plugins !== undefined && { plugins }) });
/** The plugins of `base` without thumbnails (off) or with them (on). */
const withThumbnails = (workspace: string, on: boolean) => {
  const base = benchConfig(workspace);
  const off = base.plugins.filter((p) => p !== THUMBNAILS);
  return { ...base, plugins: on ? [...off, THUMBNAILS] : off };
};

async function writeSources(folder: string, count: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Uint16Array(32 * 32).map((_, j) => (i * 13 + j) % 4096);
    const name = `population${(i % 2) + 1}_${String(i).padStart(5, '0')}.tif`;
    pending.push(writeFile(join(folder, name), encodeTiff({ data, shape: [32, 32], dtype: 'uint16', axes: 'YX' })));
    if (pending.length >= 256) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

/** Import with tags from names, then a v1-style tagging pass over every item: the measured "import + tag". */
async function importAndTag(kernel: Kernel, sources: string, name: string): Promise<{ seconds: number; items: number }> {
  const start = performance.now();
  const store = await kernel.createExperiment({ name, author: 'bench', keys: ['Population', 'number'] });
  const report = await kernel.importData(store, sources, { tagRules: [{ kind: 'regex', pattern: '(?<Population>population\\d)_(?<number>\\d+)' }] });
  await kernel.tags.applyRule(store, { kind: 'separator', key: 'Batch', separator: '_', position: 1 });
  const seconds = (performance.now() - start) / 1000;
  if (report.failed.length > 0) throw new Error(`bench import failed: ${report.failed[0]?.error}`);
  return { seconds, items: report.imported.length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

await rm(root, { recursive: true, force: true });
await mkdir(root, { recursive: true });
try {
  const workspace = join(root, 'ws');
  await mkdir(workspace);
  type Timing = { seconds: number; items: number; settle: number };
  const results: { size: number; off: Timing; on: Timing }[] = [];
  let run = 0;
  for (const size of sizes) {
    const sources = join(root, `src-${size}`);
    await writeSources(sources, size);
    const runs: Record<'off' | 'on', Timing[]> = { off: [], on: [] };
    for (let r = 0; r < repeat; r++) {
      for (const on of r % 2 === 0 ? [false, true] : [true, false]) {
        const importer = await createKernel({ config: withThumbnails(workspace, on) });
        const t = await importAndTag(importer, sources, `bench${size}-${run++}`);
        const s = performance.now();
        await importer.dispose();
        runs[on ? 'on' : 'off'].push({ ...t, settle: (performance.now() - s) / 1000 });
      }
    }
    const med = (list: Timing[]): Timing => ({
      seconds: median(list.map((t) => t.seconds)),
      settle: median(list.map((t) => t.settle)),
      items: list[0]?.items ?? 0,
    });
    results.push({ size, off: med(runs.off), on: med(runs.on) });
  }
  const kernel = await createKernel({ config: withThumbnails(workspace, false) });
  const big = join(workspace, 'big');
  await writeSyntheticV1Experiment(big, queryItems);
  const t0 = performance.now();
  const store = await kernel.openExperiment(big);
  const where = 'Population=population1 AND number>500 AND Well in (W2, W4, W6)';
  const first = await kernel.query(store, where);
  const coldMs = performance.now() - t0;
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < 7; i++) {
    const s = performance.now();
    hits = (await kernel.query(store, where)).length;
    times.push(performance.now() - s);
  }
  await kernel.dispose();
  const reopen = await createKernel({ config: withThumbnails(workspace, false) });
  const t1 = performance.now();
  const again = await reopen.query(await reopen.openExperiment(big), where);
  const indexedOpenMs = performance.now() - t1;
  await reopen.dispose();

  console.log(
    `\nBioImageIT data benchmark (this machine, one run; plugins: ${withThumbnails(workspace, false).plugins.join(', ')}, and + ${THUMBNAILS} where said)`,
  );
  console.log('measure                                    result        target');
  for (const r of results) {
    const target = r.size === 10_000 ? '<= 10 s' : '';
    console.log(`import + tag ${String(r.size).padStart(6)} TIFFs (${r.off.items} items)`.padEnd(50) + `${r.off.seconds.toFixed(2)} s`.padEnd(14) + target);
  }
  const small = results.find((r) => r.size === 1000);
  const large = results.find((r) => r.size === 10_000);
  if (small && large)
    console.log('ratio 10,000 / 1,000'.padEnd(50) + `${(large.off.seconds / small.off.seconds).toFixed(2)}`.padEnd(14) + '<= 12 (linear: 10)');
  console.log(`\nthumbnails off / on (${THUMBNAILS})${repeat > 1 ? `, medians of ${repeat}` : ''}; target: import + tag on <= ${MAX_RATIO} x off`);
  console.log('files     import+tag off   import+tag on   ratio       then settled on   until thumbnails exist (on/off)');
  let failed = false;
  for (const r of results) {
    const ratio = r.on.seconds / r.off.seconds;
    const ok = ratio <= MAX_RATIO;
    failed ||= !ok;
    const exist = r.on.seconds + r.on.settle;
    console.log(
      String(r.size).padEnd(10) +
        `${r.off.seconds.toFixed(2)} s`.padEnd(17) +
        `${r.on.seconds.toFixed(2)} s`.padEnd(16) +
        `${ratio.toFixed(2)} ${ok ? 'PASS' : 'FAIL'}`.padEnd(12) +
        `${r.on.settle.toFixed(2)} s`.padEnd(18) +
        `${exist.toFixed(2)} s (${(exist / (r.off.seconds + r.off.settle)).toFixed(2)} x)`,
    );
  }
  console.log(`thumbnails: ${failed ? 'FAIL' : 'PASS'} (import + tag with thumbnails on <= ${MAX_RATIO} x off)\n`);
  console.log(`query over ${queryItems} items, median of 7`.padEnd(50) + `${median(times).toFixed(1)} ms`.padEnd(14) + `<= 50 ms   (${hits} hits)`);
  console.log(`  first open (index built from v1 files) + query `.padEnd(50) + `${coldMs.toFixed(0)} ms`.padEnd(14) + `(${first.length} hits)`);
  console.log(`  new process-like open (index on disk) + query `.padEnd(50) + `${indexedOpenMs.toFixed(0)} ms`.padEnd(14) + `(${again.length} hits)`);
  console.log('v1 reference (from the issue): 1,000 files 6.5 s; 10,000 files > 600 s');
} finally {
  if (!args.includes('--keep')) await rm(root, { recursive: true, force: true });
}
