import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes a BioImageIT v1 experiment with `count` raw items straight into `dir` (metadata files only,
 * no image data), as v1 or a long-lived workspace would hold them: for benchmarks of opening,
 * indexing, querying and serving large experiments. Items are `population{1,2}_NNNNNN.tif` tagged
 * `Population`, `number` (000-999) and `Well` (W0-W95). JSON is written in v1's 4-space style.
 */
export async function writeSyntheticV1Experiment(dir: string, count: number, name = 'big'): Promise<void> {
  const data = join(dir, 'data');
  await mkdir(data, { recursive: true });
  const json = (value: unknown): string => JSON.stringify(value, null, 4);
  const urls: { uuid: string; url: string }[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const stem = `population${(i % 2) + 1}_${String(i).padStart(6, '0')}`;
    const uuid = randomUUID();
    urls.push({ uuid, url: `${stem}.md.json` });
    const md = {
      uuid,
      origin: { type: 'raw' },
      common: { name: `${stem}.tif`, author: 'bench', date: '2026-11-25', format: 'imagetiff', url: `${stem}.tif` },
      metadata: {},
      key_value_pairs: { Population: `population${(i % 2) + 1}`, number: String(i % 1000).padStart(3, '0'), Well: `W${i % 96}` },
    };
    pending.push(writeFile(join(data, `${stem}.md.json`), json(md)));
    if (pending.length >= 512) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const rawUuid = randomUUID();
  await writeFile(join(data, 'raw_dataset.md.json'), json({ uuid: rawUuid, name: 'data', urls }));
  const experiment = {
    uuid: randomUUID(),
    information: { name, author: 'bench', date: '2026-11-25' },
    raw_dataset: { name: 'data', url: 'data/raw_dataset.md.json', uuid: rawUuid },
    processed_datasets: [],
    keys: ['Population', 'number', 'Well'],
  };
  await writeFile(join(dir, 'experiment.md.json'), json(experiment));
}
