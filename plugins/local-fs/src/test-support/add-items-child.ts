/**
 * Child process of the reliability specs (run with `node --conditions=source --import tsx`):
 * resolves the backend through the plugin's container module (checking that injection works
 * without decorator metadata), then adds `batches` batches of `batchSize` items named
 * `<prefix>_<n>.tif` (plus one `shared.tif` per batch, to collide with other writers) into the
 * experiment, printing `batch <n>` after each commit.
 * Usage: add-items-child.ts <experiment> <sourceDir> <prefix> <batches> <batchSize>
 */
import { Container } from 'inversify';
import { StorageContribution, type StorageBackend, type StorageRegistrar } from '@bioimageit/core';
import localFsModule from '../local-fs-module.js';
import { LocalFsOptions } from '../local-fs-options.js';
import { sourceItem } from './source-files.js';

const [experiment, sourceDir, prefix, batches, batchSize] = process.argv.slice(2) as [string, string, string, string, string];
const container = new Container();
container.bind(LocalFsOptions).toConstantValue({ lockTimeoutMs: 120_000 });
container.load(localFsModule);
let backend: StorageBackend | undefined;
const registrar: StorageRegistrar = {
  register(b) {
    backend = b;
    return { dispose() {} };
  },
};
for (const contribution of container.getAll<StorageContribution>(StorageContribution)) contribution.registerStorage(registrar);
if (backend === undefined) throw new Error('local-fs registered no backend');
const store = await backend.openExperiment(experiment);
const sources = await Promise.all(Array.from({ length: Number(batchSize) }, (_, i) => sourceItem(sourceDir, `${prefix}_${i}.tif`, { writer: prefix })));
const shared = await sourceItem(sourceDir, 'shared.tif', { writer: prefix });
for (let b = 0; b < Number(batches); b++) {
  const batch = sources.map((s) => ({
    ...s,
    name: `${prefix}_${b * sources.length + Number(s.name.slice(prefix.length + 1, -4))}.tif`,
    tags: { ...s.tags, batch: String(b) },
  }));
  await store.addRawItems([...batch, shared]);
  process.stdout.write(`batch ${b}\n`);
}
await store.close();
