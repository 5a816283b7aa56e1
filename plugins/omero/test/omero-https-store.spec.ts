import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleRunRecord } from '@bioimageit/core/testing';
import { omeroTestBed, type OmeroTestBed } from './omero-test-setup.js';

const tls = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tls');
const cert = readFileSync(path.join(tls, 'localhost-cert.pem'), 'utf8');
const key = readFileSync(path.join(tls, 'localhost-key.pem'), 'utf8');

let bed: OmeroTestBed;
beforeEach(async () => {
  bed = await omeroTestBed({ tls: { key, cert } }, { ca: cert });
});
afterEach(() => bed.cleanup());

describe('OMERO backend over HTTPS', () => {
  it("passes Django's Referer rule on every write: create, import, tag, commit, replace a run, delete", async () => {
    const backend = bed.backend();
    const store = await backend.createExperiment(bed.location, { name: 'Secure', author: 'amy', keys: ['Population'] });
    const source = path.join(bed.dir, 'a.tif');
    await writeFile(source, 'pixels');
    const sha256 = createHash('sha256').update('pixels').digest('hex');
    const [item] = await store.addRawItems([
      {
        sourcePath: source,
        name: 'a.tif',
        mode: 'copy',
        format: 'imagetiff',
        size: 6,
        sha256,
        metadata: {},
        tags: { Population: 'p1' },
        author: 'amy',
        date: '2024-01-01',
      },
    ]);
    await store.updateTags([{ itemId: item!.id, set: { Well: 'A1' } }]);
    await store.ensureProcessedDataset('seg');
    await store.saveRun(sampleRunRecord('seg', 'run-1'));
    await store.saveRun({ ...sampleRunRecord('seg', 'run-1'), status: 'succeeded' });
    const dir = await store.createStagingDir('job');
    await writeFile(path.join(dir, 'o.tif'), 'mask');
    const [out] = await store.commitProcessedItems('seg', [
      {
        sourcePath: path.join(dir, 'o.tif'),
        name: 'o.tif',
        format: 'imagetiff',
        size: 4,
        sha256: createHash('sha256').update('mask').digest('hex'),
        metadata: {},
        author: 'amy',
        date: '2024-01-02',
        origin: { runId: 'run-1', inputs: [{ name: 'i', id: item!.id }], output: { name: 'o', label: 'Mask' }, job: { id: 'j', cacheKey: 'k' } },
      },
    ]);
    expect(out?.tags).toEqual({ Population: 'p1', Well: 'A1' });
    expect(await store.localize(item!)).toMatch(/a\.tif$/);
    await backend.deleteExperiment(store.uri);
    const unsafe = bed.fake.requests.filter((r) => r.method !== 'GET');
    expect(unsafe.length).toBeGreaterThan(10);
    expect(unsafe.filter((r) => r.status === 403)).toEqual([]);
    expect(unsafe.every((r) => r.headers['referer'] === `${bed.fake.url}/webclient/`)).toBe(true);
  });
});
