import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataItem, Experiment } from '@bioimageit/core';
import { cli, copyV1Experiment, tempDir, writeStack } from './cli-harness.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('biit-cli-');
});
afterEach(async () => {
  await dir.cleanup();
});

async function workspaceWithPlate(): Promise<{ ws: string; incoming: string }> {
  const ws = join(dir.path, 'ws');
  const incoming = join(dir.path, 'incoming');
  for (const well of ['A01', 'B01']) {
    await mkdir(join(incoming, 'plate1', well), { recursive: true });
    for (const pop of ['population1', 'population2']) for (let n = 1; n <= 3; n++) await writeStack(join(incoming, 'plate1', well, `${pop}_00${n}.ome.tif`), n);
  }
  await writeFile(join(incoming, 'plate1', 'README.txt'), 'not an image');
  expect((await cli(dir.path, ['init', ws, '--user', 'ada'])).code).toBe(0);
  expect((await cli(ws, ['experiment', 'create', 'My Plate', '--keys', 'Population,number'])).code).toBe(0);
  return { ws, incoming };
}

describe('bioimageit CLI: experiments, import, tags, queries', () => {
  it('imports a plate with tags from names and folders, then queries it', async () => {
    const { ws, incoming } = await workspaceWithPlate();
    const imp = await cli(ws, [
      'import',
      incoming,
      '-e',
      'My Plate',
      '-r',
      '--tag-regex',
      '(?<Population>population\\d)_(?<number>\\d+)',
      '--folder-keys',
      'Plate,Well',
      '--json',
    ]);
    expect(imp.code).toBe(0);
    const report = JSON.parse(imp.stdout) as { imported: number; items: DataItem[]; skipped: { path: string }[] };
    expect(report.imported).toBe(12);
    expect(report.skipped.map((s) => s.path)).toEqual([join(incoming, 'plate1', 'README.txt')]);
    const first = report.items.find((i) => i.name === 'population1_001.ome.tif' && i.tags['Well'] === 'A01');
    expect(first).toMatchObject({
      format: 'imagetiff',
      author: 'ada',
      tags: { Population: 'population1', number: '001', Plate: 'plate1', Well: 'A01' },
      metadata: { shape: [2, 8, 8], dtype: 'uint16', axes: 'ZYX', physicalSize: { x: { value: 0.2, unit: 'µm' } } },
    });
    expect(first?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const count = await cli(ws, ['query', '-e', 'My Plate', '--where', 'Population=population1 AND number>1 AND Well=B01', '--count']);
    expect(count.stdout.trim()).toBe('2');
    const names = await cli(ws, ['query', '-e', 'My Plate', '--where', "Well ~ '^B' AND NOT number in (001, 003)", '--json']);
    expect((JSON.parse(names.stdout) as DataItem[]).map((i) => i.name).sort()).toEqual(['population1_002_1.ome.tif', 'population2_002_1.ome.tif']);
    // Pages of the hits, in stored order: the second page of 5 of the 6 items of population1.
    const all = JSON.parse((await cli(ws, ['query', '-e', 'My Plate', '--where', 'Population=population1', '--json'])).stdout) as DataItem[];
    const page = await cli(ws, ['query', '-e', 'My Plate', '--where', 'Population=population1', '--limit', '5', '--offset', '5']);
    expect(page.stdout.split('\n').filter((l) => l.includes('.ome.tif'))).toHaveLength(1);
    expect(page.stdout).toContain(all[5]?.id);
    expect(page.stderr).toContain('items 6-6 of 6');
    const paged = JSON.parse((await cli(ws, ['query', '-e', 'My Plate', '--limit', '3', '--offset', '2', '--json'])).stdout) as DataItem[];
    const everything = JSON.parse((await cli(ws, ['query', '-e', 'My Plate', '--json'])).stdout) as DataItem[];
    expect(paged.map((i) => i.id)).toEqual(everything.slice(2, 5).map((i) => i.id));
    const bad = await cli(ws, ['query', '-e', 'My Plate', '--limit', '0']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("--limit takes a whole number above 0, not '0'")]);
    const show = JSON.parse((await cli(ws, ['experiment', 'show', 'My Plate', '--json'])).stdout) as Experiment;
    expect(show.keys).toEqual(['Population', 'number', 'Plate', 'Well']);
    expect(show.datasets).toEqual([expect.objectContaining({ name: 'data', kind: 'raw', itemCount: 12 })]);
  });

  it('tags by hand, by v1 helpers, and round-trips tags through CSV', async () => {
    const { ws, incoming } = await workspaceWithPlate();
    expect((await cli(ws, ['import', incoming, '-e', 'My Plate', '-r'])).code).toBe(0);
    expect((await cli(ws, ['tag', 'separator', 'number', '-e', 'My Plate', '--sep', '_', '--position', '1'])).stdout).toContain('tagged 12 item(s)');
    expect((await cli(ws, ['tag', 'words', 'Population', 'population2', 'population1', '-e', 'My Plate'])).code).toBe(0);
    expect((await cli(ws, ['tag', 'set', 'Treatment=drug', '-e', 'My Plate', '--where', 'Population=population2'])).stdout).toContain('tagged 6 item(s)');
    const csv = (await cli(ws, ['tag', 'export', '-e', 'My Plate'])).stdout;
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('name,id,dataset,format,Population,number,Treatment');
    expect(lines.filter((l) => l.endsWith(',drug'))).toHaveLength(6);
    const edited = lines.map((l, i) => (i === 0 ? l : l.replace(/,drug$/, ',placebo'))).join('\n');
    await writeFile(join(dir.path, 'tags.csv'), edited);
    expect((await cli(ws, ['tag', 'import', join(dir.path, 'tags.csv'), '-e', 'My Plate'])).stdout).toContain('tagged 6 item(s)');
    expect((await cli(ws, ['query', '-e', 'My Plate', '--where', 'Treatment=placebo', '--count'])).stdout.trim()).toBe('6');
    expect((await cli(ws, ['tag', 'remove', 'Treatment', '-e', 'My Plate', '--drop-keys'])).code).toBe(0);
    expect(JSON.parse((await cli(ws, ['tag', 'keys', '-e', 'My Plate', '--json'])).stdout)).toEqual(['Population', 'number']);
    await writeFile(join(dir.path, 'bad.csv'), 'name,Treatment\nnot-an-item.tif,x\n');
    const bad = await cli(ws, ['tag', 'import', join(dir.path, 'bad.csv'), '-e', 'My Plate']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("tag CSV line 2: name 'not-an-item.tif' matches no item");
  });

  it("answers the v1 query on v1's exp100 with v1's 49 hits", async () => {
    const exp = await copyV1Experiment(dir.path);
    const run = await cli(dir.path, ['query', '-e', exp, '--where', 'Population=population1 AND number>2', '--json']);
    expect(run.code).toBe(0);
    const hits = JSON.parse(run.stdout) as DataItem[];
    expect(hits).toHaveLength(49);
    expect(hits.every((h) => h.tags['Population'] === 'population1' && Number(h.tags['number']) > 2)).toBe(true);
    const inside = await cli(exp, ['query', '--where', 'Population=population1 AND number>2', '--count']);
    expect(inside.stdout.trim()).toBe('49');
    const processed = await cli(exp, ['query', '-d', 'threshold', '--where', 'number<=10', '--count']);
    expect(Number(processed.stdout.trim())).toBeGreaterThan(0);
  });

  it('prints one clear line per error, with the column of a bad query, and exit codes', async () => {
    const exp = await copyV1Experiment(dir.path);
    const bad = await cli(dir.path, ['query', '-e', exp, '--where', 'Population=population1 AND (number>']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: query error at column \d+:/);
    expect(bad.stderr).toContain('Population=population1 AND (number>\n');
    expect(bad.stderr).toMatch(/\n\s+\^/);
    expect(bad.stderr).not.toMatch(/at .*\.ts:\d+/);
    const missing = await cli(dir.path, ['query', '-e', 'nowhere', '--where', '']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no experiment 'nowhere'/);
    expect((await cli(dir.path, ['query', '--bogus'])).code).toBe(2);
    expect((await cli(dir.path, ['experiment', 'delete', exp])).stderr).toContain('without --yes');
  });

  it('reports a corrupt TIFF by name and imports the rest', async () => {
    const { ws, incoming } = await workspaceWithPlate();
    await writeFile(join(incoming, 'plate1', 'A01', 'broken.tif'), Buffer.from('II*\0garbage that is not a tiff'));
    const run = await cli(ws, ['import', incoming, '-e', 'My Plate', '-r']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('imported 12 item(s)');
    expect(run.stderr).toContain(join(incoming, 'plate1', 'A01', 'broken.tif'));
    expect((await cli(ws, ['query', '-e', 'My Plate', '--count'])).stdout.trim()).toBe('12');
  });

  it('references files in place when asked, leaving them where they are on delete', async () => {
    const { ws, incoming } = await workspaceWithPlate();
    const run = await cli(ws, ['import', join(incoming, 'plate1', 'A01'), '-e', 'My Plate', '--reference', '--json']);
    const items = (JSON.parse(run.stdout) as { items: DataItem[] }).items;
    expect(items).toHaveLength(6);
    expect(items[0]?.dataUri).toContain(encodeURI(join(incoming, 'plate1', 'A01')));
    expect((await cli(ws, ['experiment', 'delete', 'My Plate', '--yes'])).code).toBe(0);
    await expect(readFile(join(incoming, 'plate1', 'A01', 'population1_001.ome.tif'))).resolves.toBeInstanceOf(Buffer);
    expect(JSON.parse((await cli(ws, ['experiment', 'list', '--json'])).stdout)).toEqual([]);
  });
});
