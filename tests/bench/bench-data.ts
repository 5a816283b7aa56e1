/**
 * Data-management benchmark (`npm run bench:data`): import + tag of 1,000 and of 10,000 small
 * synthetic TIFFs, and a query over 100,000 items, side by side in one run on this machine.
 * Targets (issue: kernel/local-fs/CLI): 10,000 files imported and tagged in <= 10 s, the
 * 10,000/1,000 time ratio <= 12 (no quadratic growth), the query <= 50 ms.
 * v1 (Python BioImageIT 0.2.0) took 6.5 s for 1,000 files and over 10 minutes for 10,000.
 *
 * Usage: npm run bench:data [-- --keep] [-- --sizes 1000,10000] [-- --query-items 100000]
 *        [-- --plugins @bioimageit/local-fs,@bioimageit/thumbnails]   (default: the embedded default plugins, local-fs only)
 * With the thumbnails plugin, thumbnails are made in the background; "thumbnails settled" is the
 * further wait in `kernel.dispose()` until every one is stored (what a CLI command waits for).
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
const root = join(tmpdir(), `biit-bench-${process.pid}`);
const plugins = flag('--plugins')
  ?.split(',')
  .filter((p) => p !== '');
const benchConfig = (workspace: string) => ({ ...defaultConfig(workspace, 'bench'), ...(plugins !== undefined && { plugins }) });

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
  const results: { size: number; seconds: number; items: number; settle: number }[] = [];
  for (const size of sizes) {
    const sources = join(root, `src-${size}`);
    await writeSources(sources, size);
    const importer = await createKernel({ config: benchConfig(workspace) });
    const r = await importAndTag(importer, sources, `bench${size}`);
    const s = performance.now();
    await importer.dispose();
    results.push({ size, ...r, settle: (performance.now() - s) / 1000 });
  }
  const kernel = await createKernel({ config: benchConfig(workspace) });
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
  const reopen = await createKernel({ config: benchConfig(workspace) });
  const t1 = performance.now();
  const again = await reopen.query(await reopen.openExperiment(big), where);
  const indexedOpenMs = performance.now() - t1;
  await reopen.dispose();

  console.log(`\nBioImageIT data benchmark (this machine, one run; plugins: ${benchConfig(workspace).plugins.join(', ')})`);
  console.log('measure                                    result        target');
  for (const r of results) {
    const target = r.size === 10_000 ? '<= 10 s' : '';
    console.log(`import + tag ${String(r.size).padStart(6)} TIFFs (${r.items} items)`.padEnd(50) + `${r.seconds.toFixed(2)} s`.padEnd(14) + target);
    console.log(`  then thumbnails settled (kernel.dispose)`.padEnd(50) + `${r.settle.toFixed(2)} s`);
  }
  const small = results.find((r) => r.size === 1000);
  const large = results.find((r) => r.size === 10_000);
  if (small && large) console.log('ratio 10,000 / 1,000'.padEnd(50) + `${(large.seconds / small.seconds).toFixed(2)}`.padEnd(14) + '<= 12 (linear: 10)');
  console.log(`query over ${queryItems} items, median of 7`.padEnd(50) + `${median(times).toFixed(1)} ms`.padEnd(14) + `<= 50 ms   (${hits} hits)`);
  console.log(`  first open (index built from v1 files) + query `.padEnd(50) + `${coldMs.toFixed(0)} ms`.padEnd(14) + `(${first.length} hits)`);
  console.log(`  new process-like open (index on disk) + query `.padEnd(50) + `${indexedOpenMs.toFixed(0)} ms`.padEnd(14) + `(${again.length} hits)`);
  console.log('v1 reference (from the issue): 1,000 files 6.5 s; 10,000 files > 600 s');
} finally {
  if (!args.includes('--keep')) await rm(root, { recursive: true, force: true });
}
