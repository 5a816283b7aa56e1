import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTiff, type ChannelMetadata, type DataItem } from '@bioimageit/core';
import { runCli } from '../program.js';

async function cli(cwd: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd,
    env: { PATH: process.env['PATH'], USER: 'tester' },
    output: { out: (t) => (stdout += t.endsWith('\n') ? t : t + '\n'), err: (t) => (stderr += t.endsWith('\n') ? t : t + '\n'), interactive: false },
  });
  return { code, stdout, stderr };
}

/** A 2×C×8×8 uint16 ZCYX OME-TIFF with these channels, 0.2 µm pixels and a 3 s time increment. */
async function writeImage(path: string, channels: ChannelMetadata[]): Promise<void> {
  const shape = [2, channels.length, 8, 8];
  const data = new Uint16Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => i);
  const physicalSize = { x: { value: 0.2, unit: 'µm' }, y: { value: 0.2, unit: 'µm' }, z: { value: 1, unit: 'µm' }, t: { value: 3, unit: 's' } };
  await writeTiff(path, { data, shape, dtype: 'uint16', axes: 'ZCYX', physicalSize }, { ome: true, channels });
}

const GFP_DAPI: ChannelMetadata[] = [
  { name: 'DAPI', color: '#0000ff', excitation: { value: 405, unit: 'nm' }, emission: { value: 461, unit: 'nm' } },
  { name: 'GFP', color: '#00ff00', excitation: { value: 488, unit: 'nm' } },
];

describe('bioimageit item show, and queries on channels', () => {
  let dir: string;
  let ws: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'biit-item-'));
    ws = join(dir, 'ws');
    const incoming = join(dir, 'incoming');
    await mkdir(incoming);
    await writeImage(join(incoming, 'gfp_dapi.ome.tif'), GFP_DAPI);
    await writeImage(join(incoming, 'cy5.ome.tif'), [{ name: 'Cy5', color: '#ff00ff' }]);
    await writeImage(join(incoming, 'plain.ome.tif'), [{}, {}, {}]);
    expect((await cli(dir, ['init', ws, '--user', 'ada'])).code).toBe(0);
    expect((await cli(ws, ['experiment', 'create', 'Channels'])).code).toBe(0);
    expect((await cli(ws, ['import', incoming, '-e', 'Channels'])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows an item by name: geometry, pixel sizes, time step and one line per channel', async () => {
    const { code, stdout } = await cli(ws, ['item', 'show', 'gfp_dapi.ome.tif', '-e', 'Channels']);
    expect(code).toBe(0);
    const line = (label: string) => stdout.split('\n').find((l) => l.startsWith(label + ' '));
    expect(line('image')).toMatch(/^image\s+ZCYX {2}2×2×8×8 {2}uint16$/);
    expect(line('pixel size')).toMatch(/x 0\.2 µm, y 0\.2 µm, z 1 µm$/);
    expect(line('time step')).toMatch(/3 s$/);
    expect(line('channels')).toMatch(/2$/);
    expect(stdout).toMatch(/^ {2}C0 {2}DAPI {2}#0000ff {2}ex 405 nm {2}em 461 nm$/m);
    expect(stdout).toMatch(/^ {2}C1 {2}GFP {3}#00ff00 {2}ex 488 nm$/m);
  });

  it('shows an item by id as JSON with its metadata', async () => {
    const all = JSON.parse((await cli(ws, ['query', '-e', 'Channels', '--json'])).stdout) as DataItem[];
    const target = all.find((i) => i.name === 'gfp_dapi.ome.tif')!;
    const shown = await cli(ws, ['item', 'show', target.id, '-e', 'Channels', '--json']);
    expect(shown.code).toBe(0);
    const item = JSON.parse(shown.stdout) as DataItem;
    expect(item.id).toBe(target.id);
    expect(item.metadata).toMatchObject({ axes: 'ZCYX', shape: [2, 2, 8, 8], dtype: 'uint16', channels: GFP_DAPI, timeIncrement: { value: 3, unit: 's' } });
    expect(target.metadata.channels).toEqual(GFP_DAPI);
  });

  it('query --where "channels ~ \'GFP\'" selects exactly the items with a GFP channel', async () => {
    const hits = JSON.parse((await cli(ws, ['query', '-e', 'Channels', '--where', "channels ~ 'GFP'", '--json'])).stdout) as DataItem[];
    expect(hits.map((i) => i.name)).toEqual(['gfp_dapi.ome.tif']);
    const none = await cli(ws, ['query', '-e', 'Channels', '--where', "channels !~ 'GFP'", '--json']);
    expect((JSON.parse(none.stdout) as DataItem[]).map((i) => i.name).sort()).toEqual(['cy5.ome.tif', 'plain.ome.tif']);
  });

  it('names the item and the experiment when nothing matches', async () => {
    const missing = await cli(ws, ['item', 'show', 'nope.tif', '-e', 'Channels']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error: no item with id or name 'nope.tif' in any dataset of experiment 'Channels'");
    const elsewhere = await cli(ws, ['item', 'show', 'cy5.ome.tif', '-e', 'Channels', '-d', 'nope']);
    expect(elsewhere.code).not.toBe(0);
  });
});
