/**
 * Child process of the import fuzz suite: imports each file of a folder alone into one experiment
 * (import, then its thumbnail drawn and stored as the thumbnails plugin does) and prints one JSON
 * line: per file the outcome (imported, failed with the error, or crashed: an exception out of
 * the import itself), the milliseconds it took, then this process's peak RSS. A file still
 * running after `BIOIMAGEIT_FUZZ_HANG_MS` is reported as a hang and the process exits.
 *
 * Usage: node --conditions=source --import tsx import-each.ts WORKSPACE EXPERIMENT FOLDER
 */
import { mkdir, readdir, rename, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createKernel, defaultConfig } from '@bioimageit/core';
import { ThumbnailMaker } from '@bioimageit/thumbnails';

const [workspace, experiment, folder] = process.argv.slice(2) as [string, string, string];
const hangMs = Number(process.env['BIOIMAGEIT_FUZZ_HANG_MS'] ?? 20_000);
const kernel = await createKernel({ config: defaultConfig(workspace, 'fuzzer', ['@bioimageit/local-fs']) });
const store = await kernel.openExperiment(join(workspace, experiment));
const warnings: string[] = [];
const thumbnails = new ThumbnailMaker({ log: (line) => warnings.push(line) });
const results: { name: string; outcome: 'imported' | 'failed' | 'crashed'; ms: number; error?: string; thumbnail?: boolean }[] = [];
for (const name of (await readdir(folder)).sort()) {
  const alone = join(folder, `.alone-${results.length}`);
  await mkdir(alone);
  await rename(join(folder, name), join(alone, name));
  const started = performance.now();
  const watchdog = setTimeout(() => {
    process.stdout.write(JSON.stringify({ hang: name, results }) + '\n');
    process.exit(3);
  }, hangMs);
  try {
    const report = await kernel.importData(store, alone, {});
    const made = report.imported.length > 0 ? (await thumbnails.make(store, report.imported)).made > 0 : undefined;
    const ms = performance.now() - started;
    if (report.failed.length > 0) results.push({ name, outcome: 'failed', ms, error: report.failed[0]!.error });
    else results.push({ name, outcome: 'imported', ms, ...(made !== undefined && { thumbnail: made }) });
  } catch (error) {
    results.push({ name, outcome: 'crashed', ms: performance.now() - started, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
  clearTimeout(watchdog);
  await rename(join(alone, name), join(folder, name));
  await rmdir(alone);
}
await kernel.dispose();
process.stdout.write(JSON.stringify({ results, warnings: warnings.length, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
