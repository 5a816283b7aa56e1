import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv, type DataItem, type ExperimentStore } from '@bioimageit/core';
import type { Output } from '../output.js';
import { datasetFolder } from '../commands/run-report.js';
import type { SyntheticImage } from './synthetic-plate.js';

/** What the demo made, for {@link printDemoReport}. */
export interface DemoResults {
  readonly dir: string;
  readonly store: ExperimentStore;
  readonly images: readonly SyntheticImage[];
  readonly crateDir: string;
  readonly provFile: string;
}

const pathOf = (uri: string): string => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);

/** Rows of a CSV item's data file, header first. */
async function tableRows(store: ExperimentStore, item: DataItem): Promise<string[][]> {
  const path = await store.localize(item);
  return parseCsv(await readFile(path, 'utf8'), { path });
}

/**
 * Prints where the demo's results are: each dataset's folder and item count, the run logs, the
 * per-well summary tables (with their totals), how many object counts match the generated blob
 * counts, the RO-Crate and PROV-JSON files, and the thumbnails' paths (items carry a `thumbnail`
 * URI when a thumbnail plugin is configured; otherwise it says there are none).
 */
export async function printDemoReport(output: Output, results: DemoResults): Promise<void> {
  const { dir, store } = results;
  const out = (label: string, lines: readonly string[]): void => {
    lines.forEach((line, i) => output.out(`${i === 0 ? label.padEnd(16) : ' '.repeat(16)}${line}`));
  };
  const datasets = await store.listDatasets();
  const items = new Map<string, readonly DataItem[]>();
  for (const d of datasets) items.set(d.name, await store.items(d.name));
  output.out(`demo finished. Where to look (experiment '${(await store.info()).name}' in ${pathOf(store.uri)}):`);
  const folders = new Map<string, string | undefined>();
  for (const d of datasets) folders.set(d.name, await datasetFolder(store, d.name));
  out(
    'results',
    datasets.map((d) => `${d.name.padEnd(8)} ${String(items.get(d.name)?.length ?? 0).padStart(3)} item(s)  ${folders.get(d.name) ?? pathOf(d.uri)}`),
  );
  const logs: string[] = [];
  for (const d of datasets.filter((x) => x.kind === 'processed')) {
    for (const run of await store.listRuns(d.name)) {
      const folder = join(folders.get(d.name) ?? '', 'logs', run.id);
      logs.push(
        `${d.name.padEnd(8)} ${run.tool.id} ${run.status}: ${existsSync(folder) ? folder : `no log files (jobs served from the cache): bioimageit runs show ${run.id}`}`,
      );
    }
  }
  out('run logs', logs.length > 0 ? logs : ['none']);
  const summaries = [...(items.get('summary') ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
  const summaryLines: string[] = [];
  for (const item of summaries) {
    const rows = (await tableRows(store, item)).slice(1);
    const objects = rows.reduce((n, r) => n + Number(r[1] ?? 0), 0);
    summaryLines.push(`${await store.localize(item)}  (${item.tags['Well'] ?? '?'}: ${rows.length} image(s), ${objects} object(s))`);
  }
  out('summary tables', summaryLines.length > 0 ? summaryLines : ['none']);
  out('object counts', [await checkCounts(store, items.get('objects') ?? [], results.images, dir)]);
  out('RO-Crate', [`${join(results.crateDir, 'ro-crate-metadata.json')} (with the data files)`, `W3C PROV-JSON: ${results.provFile}`]);
  out('thumbnails', thumbnailLines(datasets.map((d) => items.get(d.name) ?? [])));
  out('next', [
    `bioimageit runs list -e '${(await store.info()).name}'     (from ${dir})`,
    `bioimageit provenance show ${summaries[0]?.name ?? 'ITEM'} -e '${(await store.info()).name}'`,
  ]);
}

/** Compares each object table's row count with the blobs generated in its source image. */
async function checkCounts(store: ExperimentStore, tables: readonly DataItem[], images: readonly SyntheticImage[], dir: string): Promise<string> {
  const expected = new Map(images.map((i) => [`${i.well}/${i.population}/${i.number}`, i.blobs]));
  const wrong: string[] = [];
  for (const item of tables) {
    const key = `${item.tags['Well']}/${item.tags['Population']}/${item.tags['number']}`;
    const found = (await tableRows(store, item)).length - 1;
    if (found !== expected.get(key)) wrong.push(`${item.name}: ${found} found, ${expected.get(key) ?? '?'} generated`);
  }
  const csv = relative(dir, join(dir, 'incoming', 'expected-counts.csv'));
  if (wrong.length === 0) return `${tables.length} of ${images.length} image(s) counted, every count equal to the blobs generated (${csv})`;
  return `${tables.length - wrong.length} of ${tables.length} count(s) equal the blobs generated (${csv}); differ: ${wrong.slice(0, 5).join('; ')}`;
}

/** The thumbnails made: how many per dataset, and the first of each (the same image along the pipeline). */
function thumbnailLines(datasets: readonly (readonly DataItem[])[]): string[] {
  const withThumbnails = datasets.map((items) => items.filter((i) => i.thumbnail !== undefined && i.thumbnail !== '')).filter((items) => items.length > 0);
  if (withThumbnails.length === 0) return ['none: no thumbnail plugin made any (items carry no thumbnail)'];
  const total = withThumbnails.reduce((n, items) => n + items.length, 0);
  const counts = withThumbnails.map((items) => `${items[0]?.dataset} ${items.length}`).join(', ');
  return [
    `${total} PNG thumbnail(s) (${counts}); the first of each dataset:`,
    ...withThumbnails.map(([first]) => `${(first?.dataset ?? '').padEnd(8)} ${pathOf(first?.thumbnail ?? '')}  (${first?.name})`),
  ];
}
