import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTiff, type ChannelMetadata } from '@bioimageit/core';
import { ContractClient } from '../test-support/contract-client.js';
import { serveFixture, type ServedFixture } from '../test-support/fixture-workspace.js';

const CHANNELS: ChannelMetadata[] = [
  { name: 'DAPI', color: '#0000ff', excitation: { value: 405, unit: 'nm' }, emission: { value: 461, unit: 'nm' } },
  { name: 'GFP', color: '#00ff00', emission: { value: 510, unit: 'nm' } },
];

describe('REST API: image metadata of items', () => {
  let fx: ServedFixture;
  let api: ContractClient;
  let exp: string;

  beforeAll(async () => {
    fx = await serveFixture('bioimageit-item-metadata-');
    api = new ContractClient(fx.base, fx.server.document);
    exp = fx.experimentId;
    const incoming = join(fx.dir, 'incoming-channels');
    await mkdir(incoming);
    const physicalSize = { x: { value: 0.1625, unit: 'µm' }, y: { value: 0.1625, unit: 'µm' }, t: { value: 2.5, unit: 's' } };
    await writeTiff(
      join(incoming, 'two_channels.ome.tif'),
      { data: new Uint16Array(3 * 2 * 6 * 7), shape: [3, 2, 6, 7], dtype: 'uint16', axes: 'ZCYX', physicalSize },
      { ome: true, channels: CHANNELS },
    );
    const store = await fx.kernel.openExperiment(join(fx.dir, 'exp100'));
    await fx.kernel.importData(store, incoming, { tagRules: [{ kind: 'set', tags: { Population: 'channels' } }] });
  }, 60_000);
  afterAll(async () => fx?.cleanup());

  it('shows axes, shape, dtype, physical sizes, time increment and channels in the documented item schema', async () => {
    const page = await api.call('GET', `/api/experiments/${exp}/items?where=${encodeURIComponent('name=two_channels')}`);
    expect(page.json.items).toHaveLength(1);
    const one = await api.call('GET', `/api/experiments/${exp}/items/${page.json.items[0].id}`);
    expect(one.status).toBe(200);
    expect(one.json.metadata).toMatchObject({
      axes: 'ZCYX',
      shape: [3, 2, 6, 7],
      dtype: 'uint16',
      physicalSize: { x: { value: 0.1625, unit: 'µm' }, y: { value: 0.1625, unit: 'µm' } },
      timeIncrement: { value: 2.5, unit: 's' },
      channels: CHANNELS,
    });
    const schema = fx.server.document as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(Object.keys(schema.components.schemas['FormatMetadata']?.properties ?? {})).toEqual(
      expect.arrayContaining(['axes', 'shape', 'dtype', 'physicalSize', 'timeIncrement', 'channels']),
    );
  });

  it("selects items by channel name: channels ~ 'GFP'", async () => {
    const hits = await api.call('GET', `/api/experiments/${exp}/items?where=${encodeURIComponent("channels ~ 'GFP'")}`);
    expect(hits.status).toBe(200);
    expect(hits.json.items.map((i: { name: string }) => i.name)).toEqual(['two_channels.ome.tif']);
  });
});
