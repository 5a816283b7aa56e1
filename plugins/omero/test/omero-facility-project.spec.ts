import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError, type ExperimentStore } from '@bioimageit/core';
import { NS_CLIENT, NS_EXPERIMENT } from '../src/storage/omero-model.js';
import { omeroTestBed, type OmeroTestBed } from './omero-test-setup.js';

let bed: OmeroTestBed;
beforeEach(async () => {
  bed = await omeroTestBed();
});
afterEach(() => bed.cleanup());

/**
 * A facility's Project made in OMERO.web, never touched by BioImageIT: no experiment record, no
 * Project tags; two plates whose images carry key/value pairs (the tags) and a bulk annotation.
 */
function facilityProject(): { projectId: number; plates: [number, number]; images: number[] } {
  const { state } = bed.fake;
  const project = state.addProject('Screen 2024', 5, 3);
  const first = state.addDataset('Plate 2024-05-13', 5, 3, project.id);
  const second = state.addDataset('Plate 2024-05-14', 5, 3, project.id);
  const pairs: [number, [string, string][]][] = [
    [
      first.id,
      [
        ['Well', 'A01'],
        ['Population', 'p1'],
      ],
    ],
    [first.id, [['Well', 'A02']]],
    [
      second.id,
      [
        ['Well', 'B01'],
        ['Treatment', 'drug'],
      ],
    ],
  ];
  const images = pairs.map(([dataset, values], i) => {
    const image = state.addImage(dataset, `img${i}.tif`, 3);
    state.annotate('image', image.id, { kind: 'MapAnnotationI', ns: NS_CLIENT, ownerId: 3, values });
    return image.id;
  });
  state.annotate('image', images[0]!, { kind: 'MapAnnotationI', ns: 'openmicroscopy.org/omero/bulk_annotations', ownerId: 3, values: [['Gene', 'AURKB']] });
  return { projectId: project.id, plates: [first.id, second.id], images };
}

async function open(projectId: number): Promise<ExperimentStore> {
  return bed.backend().openExperiment(`omero://${bed.server}/project/${projectId}`);
}

async function failure(promise: Promise<unknown>): Promise<StorageError> {
  return promise.then(
    () => {
      throw new Error('expected a StorageError');
    },
    (e: unknown) => e as StorageError,
  );
}

describe('an OMERO Project made without BioImageIT', () => {
  it("lists as tag keys the keys of its images' key/value pairs, read once", async () => {
    const { projectId } = facilityProject();
    const store = await open(projectId);
    const info = await store.info();
    expect(info.keys).toEqual(['Well', 'Population', 'Treatment']);
    expect(info).toMatchObject({ name: 'Screen 2024', author: 'Ben Nevis', date: '' });
    const listings = () => bed.fake.count('/api/v0/m/datasets/');
    const imageAnnotationReads = () => bed.fake.requests.filter((r) => r.path === '/webclient/api/annotations/' && r.query.includes('image=')).length;
    const before = [listings(), imageAnnotationReads()];
    expect((await store.info()).keys).toEqual(['Well', 'Population', 'Treatment']);
    expect([listings(), imageAnnotationReads()]).toEqual(before);
    // listing the items reads their tags anyway: info() after it asks for no image again
    await store.items();
    const afterItems = [listings(), imageAnnotationReads()];
    await store.info();
    expect([listings(), imageAnnotationReads()]).toEqual(afterItems);
  });

  it('sees images and keys added in OMERO.web or by BioImageIT, and records keys only when they are set', async () => {
    const { projectId, plates } = facilityProject();
    const store = await open(projectId);
    expect((await store.info()).keys).toEqual(['Well', 'Population', 'Treatment']);
    const added = bed.fake.state.addImage(plates[1], 'late.tif', 3);
    bed.fake.state.annotate('image', added.id, { kind: 'MapAnnotationI', ns: NS_CLIENT, ownerId: 3, values: [['Stain', 'DAPI']] });
    expect((await store.info()).keys).toEqual(['Well', 'Population', 'Treatment', 'Stain']);
    await store.updateTags([{ itemId: `image-${added.id}`, set: { Quality: 'good' } }]);
    expect((await store.info()).keys).toEqual(['Well', 'Population', 'Treatment', 'Stain', 'Quality']);
    const records = () => [...bed.fake.state.annotations.values()].filter((a) => a.ns === NS_EXPERIMENT);
    expect(records()).toEqual([]);
    expect((await (await open(projectId)).info()).keys).toEqual(['Well', 'Population', 'Treatment', 'Stain', 'Quality']);
    await store.setTagKeys(['Well', 'Quality']);
    expect(records()).toHaveLength(1);
    expect((await store.info()).keys).toEqual(['Well', 'Quality']);
  });

  it('names a raw Dataset by its OMERO name or id, and lists the names when none matches', async () => {
    const { projectId, plates, images } = facilityProject();
    const store = await open(projectId);
    const names = async (dataset?: string) => (await store.items(dataset)).map((i) => i.name);
    expect(await names()).toEqual(['img0.tif', 'img1.tif', 'img2.tif']);
    expect(await names('Plate 2024-05-13')).toEqual(['img0.tif', 'img1.tif']);
    expect(await names(String(plates[1]))).toEqual(['img2.tif']);
    expect(await names(`dataset-${plates[1]}`)).toEqual(['img2.tif']);
    expect(await names(`omero://${bed.server}/dataset/${plates[0]}`)).toEqual(['img0.tif', 'img1.tif']);
    expect((await store.items('Plate 2024-05-14'))[0]).toMatchObject({ id: `image-${images[2]}`, dataset: 'data', tags: { Well: 'B01', Treatment: 'drug' } });

    const missing = await failure(store.items('Plate 2024-05-15'));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toBe(
      `no dataset 'Plate 2024-05-15' in experiment omero://${bed.server}/project/${projectId}; its datasets: 'data' (all raw images), ` +
        `'Plate 2024-05-13' (raw, id ${plates[0]}), 'Plate 2024-05-14' (raw, id ${plates[1]})`,
    );
    expect(missing.details['datasets']).toEqual(['data', 'Plate 2024-05-13', 'Plate 2024-05-14']);
    expect((await failure(store.listRuns('Plate 2024-05-13'))).message).toContain("no processed dataset 'Plate 2024-05-13'");
    const taken = await failure(store.ensureProcessedDataset('Plate 2024-05-13'));
    expect([taken.code, taken.message]).toEqual([
      'EXISTS',
      `'Plate 2024-05-13' is a raw Dataset (id ${plates[0]}) of omero://${bed.server}/project/${projectId}; a processed dataset needs another name`,
    ]);
  });

  it('asks for the id when two Datasets share the name', async () => {
    const { projectId, plates } = facilityProject();
    const twin = bed.fake.state.addDataset('Plate 2024-05-13', 5, 3, projectId);
    bed.fake.state.addImage(twin.id, 'twin.tif', 3);
    const store = await open(projectId);
    const shared = await failure(store.items('Plate 2024-05-13'));
    expect(shared.code).toBe('INVALID');
    expect(shared.message).toBe(
      `2 datasets of experiment omero://${bed.server}/project/${projectId} are named 'Plate 2024-05-13': ` +
        `'Plate 2024-05-13' (raw, id ${plates[0]}), 'Plate 2024-05-13' (raw, id ${twin.id}); name one by its id (e.g. '${plates[0]}')`,
    );
    expect((await store.items(String(twin.id))).map((i) => i.name)).toEqual(['twin.tif']);
  });

  it('finds a processed dataset by name or id', async () => {
    const { projectId } = facilityProject();
    const store = await open(projectId);
    const seg = await store.ensureProcessedDataset('seg');
    expect(await store.items(seg.id)).toEqual([]);
    expect(await store.listRuns(seg.id)).toEqual([]);
    expect((await failure(store.items('segs'))).message).toContain(`'seg' (processed, id ${seg.id})`);
  });
});
