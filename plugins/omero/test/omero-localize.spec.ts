import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTiff, readTiffMetadata } from '@bioimageit/core';
import { omeroTestBed, type OmeroTestBed } from './omero-test-setup.js';

let bed: OmeroTestBed;
beforeEach(async () => {
  bed = await omeroTestBed();
});
afterEach(() => bed.cleanup());

describe('localizing OMERO images', () => {
  it('downloads a single TIFF original once, and exports other images as OME-TIFF, into the cache', async () => {
    const { state } = bed.fake;
    const project = state.addProject('P', 5, 3);
    const dataset = state.addDataset('d', 5, 3, project.id);
    const tiff = Buffer.from(encodeTiff({ data: new Uint8Array([1, 2, 3, 4]), shape: [2, 2], dtype: 'uint8', axes: 'YX' }));
    const original = state.addImage(dataset.id, 'cells.tif', 3, { name: 'cells.tif', bytes: tiff });
    const vendor = state.addImage(dataset.id, 'stack.dv', 3, { name: 'stack.dv', bytes: Buffer.from('DeltaVision bytes') });
    vendor.sizeX = 8;
    vendor.sizeY = 4;
    const store = await bed.backend().openExperiment(`omero://${bed.server}/project/${project.id}`);
    const [a, b] = await store.items();
    expect([a!.name, b!.name]).toEqual(['cells.tif', 'stack.dv']);

    const first = await store.localize(a!);
    expect((await readFile(first)).equals(tiff)).toBe(true);
    expect(first.startsWith(bed.options.cacheDir!)).toBe(true);
    const exported = await store.localize(b!);
    expect(exported.endsWith('stack.ome.tif')).toBe(true);
    const metadata = readTiffMetadata(new Uint8Array(await readFile(exported)), exported);
    expect(metadata).toMatchObject({ shape: [4, 8], dtype: 'uint16' });

    const downloads = () => bed.fake.requests.filter((r) => r.path.startsWith('/webgateway/')).length;
    const before = downloads();
    expect(await store.localize(a!)).toBe(first);
    expect(await store.localize(b!)).toBe(exported);
    expect(downloads()).toBe(before);
    expect(bed.fake.count(`/webgateway/archived_files/download/${original.id}/`)).toBe(1);
    expect(bed.fake.count(`/webgateway/render_ome_tiff/i/${vendor.id}/`)).toBe(1);
  });
});
