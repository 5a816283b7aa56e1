import { cp, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * Adds a processed dataset folder written in v1's format (`processed_dataset.md.json`,
 * `run.md.json`, `o_*.md.json`, such as the repository's `tests/fixtures/v1/failed-run/failed`) to
 * the v1 experiment folder `experiment`: copies it in and lists it in `experiment.md.json` as v1
 * does (name, url, uuid; 4-space JSON without a trailing newline). Returns the dataset's name.
 */
export async function addV1ProcessedDataset(experiment: string, folder: string): Promise<string> {
  const name = basename(folder);
  await cp(folder, join(experiment, name), { recursive: true });
  const dataset = JSON.parse(await readFile(join(folder, 'processed_dataset.md.json'), 'utf8')) as { uuid: string; name: string };
  const file = join(experiment, 'experiment.md.json');
  const doc = JSON.parse(await readFile(file, 'utf8')) as { processed_datasets: { name: string; url: string; uuid: string }[] };
  doc.processed_datasets.push({ name: dataset.name, url: `${name}/processed_dataset.md.json`, uuid: dataset.uuid });
  await writeFile(file, JSON.stringify(doc, null, 4));
  return dataset.name;
}
