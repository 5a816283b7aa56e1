import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OmeroClient } from '../client/omero-client.js';
import { FakeOmeroWeb } from '../../test/fake-omero/fake-omero-web.js';
import { NS_CLIENT } from './omero-model.js';
import { OmeroRepository } from './omero-repository.js';

let fake: FakeOmeroWeb;
let repo: OmeroRepository;
beforeEach(async () => {
  fake = new FakeOmeroWeb();
  fake.addUser({ userName: 'ben', password: 'pw' });
  await fake.start();
  repo = new OmeroRepository(new OmeroClient({ baseUrl: fake.url, credentials: async () => ({ username: 'ben', password: 'pw' }) }), 3);
});
afterEach(() => fake.stop());

describe('OmeroRepository', () => {
  it('reads annotations in batches of object ids, and pages a batch whose annotations fill a page', async () => {
    const dataset = fake.state.addDataset('d', 5, 3);
    const images = Array.from({ length: 7 }, (_, i) => fake.state.addImage(dataset.id, `i${i}`, 3).id);
    for (const id of images) fake.state.annotate('image', id, { kind: 'MapAnnotationI', ns: NS_CLIENT, ownerId: 3, values: [['k', String(id)]] });
    const anns = await repo.annotations('image', images, 'map');
    expect(anns.map((a) => a.link.parent.id).sort()).toEqual([...images].sort());
    expect(fake.count('/webclient/api/annotations/')).toBe(3);

    for (let i = 0; i < 10_001; i++) fake.state.annotate('dataset', dataset.id, { kind: 'MapAnnotationI', ns: 'x', ownerId: 3, values: [['n', String(i)]] });
    const before = fake.count('/webclient/api/annotations/');
    const many = await repo.annotations('dataset', [dataset.id], 'map', 'x');
    expect(many).toHaveLength(10_001);
    expect(new Set(many.map((a) => a.id)).size).toBe(10_001);
    expect(fake.count('/webclient/api/annotations/') - before).toBe(2);
  });

  it('creates one map per object, replaces all pairs on update and deletes with an empty list', async () => {
    const dataset = fake.state.addDataset('d', 5, 3);
    const [a, b] = [fake.state.addImage(dataset.id, 'a', 3).id, fake.state.addImage(dataset.id, 'b', 3).id];
    const ids = await repo.createMap('image', [a, b], NS_CLIENT, [['x', '1']]);
    expect(ids).toHaveLength(2);
    await repo.updateMap('image', a, ids[0]!, NS_CLIENT, [['y', '2']]);
    expect(fake.state.annotations.get(ids[0]!)?.values).toEqual([['y', '2']]);
    await repo.updateMap('image', b, ids[1]!, NS_CLIENT, []);
    expect(fake.state.annotations.has(ids[1]!)).toBe(false);
    expect(fake.requests.filter((r) => r.path === '/webclient/annotate_map/').every((r) => r.query === '')).toBe(true);
  });
});
