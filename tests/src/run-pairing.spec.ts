import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { DataItem } from '@bioimageit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJson, runWorkspace, type RunWorkspace } from './run-harness.js';

let ws: RunWorkspace;
beforeAll(async () => {
  ws = await runWorkspace('bioimageit-run-pair-');
  // Writes the paths of its two inputs: shows which items a job paired.
  await ws.addTool({
    id: 'test.pair',
    inputs: [
      { name: 'image', type: 'data' },
      { name: 'mask', type: 'data' },
    ],
    outputs: [{ name: 'o', format: 'text', extension: 'txt' }],
    command: { argv: ['sh', '-c', 'printf "%s\\n%s\\n" "$1" "$2" > "$3"', 'sh', '{inputs.image}', '{inputs.mask}', '{outputs.o}'] },
  });
  // A reduce tool: its input is a list file, one path per line; it writes the list back.
  await ws.addTool({
    id: 'test.collect',
    type: 'reduce',
    inputs: [{ name: 'i', type: 'data' }],
    outputs: [{ name: 'o', format: 'text', extension: 'txt' }],
    command: { argv: ['cp', '{inputs.i}', '{outputs.o}'] },
  });
});
afterAll(() => ws.cleanup());

const lines = async (item: DataItem) => (await readFile(fileURLToPath(item.dataUri), 'utf8')).trim().split('\n');
const stemOf = (path: string) => (path.split('/').pop() as string).replace(/\.tif$/, '');

describe('bioimageit run: pairing and groups', () => {
  it('pairs items of two datasets by tag keys (inner join) and reports the unmatched', async () => {
    // v1's copied/ holds o_<stem> for all 100 items; select 3 masks so that 2 images stay unmatched.
    const out = await ws.run([
      'run',
      'test.pair',
      '-e',
      'exp100',
      '-i',
      'image=data:Population=population1 AND number<10',
      '-i',
      'mask=copied:Population=population1 AND number<6',
      '--match-by',
      'Population,number',
      '-o',
      'paired',
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const { run, unmatched } = runJson(out);
    expect(run.matchBy).toEqual(['Population', 'number']);
    const items = await ws.items('paired');
    expect(items.map((i) => i.name).sort()).toEqual(['o_population1_001', 'o_population1_003', 'o_population1_005']);
    for (const item of items) {
      const [image, mask] = (await lines(item)).map(stemOf);
      expect(`o_${image}`).toBe(mask);
    }
    expect(unmatched.map((u) => [u.input, u.name])).toEqual([
      ['image', 'population1_007.tif'],
      ['image', 'population1_009.tif'],
    ]);
  });

  it('pairs by position when asked (v1), and refuses unequal counts', async () => {
    const out = await ws.run([
      'run',
      'test.pair',
      '-e',
      'exp100',
      '-i',
      'image=data:Population=population1 AND number<6',
      '-i',
      'mask=data:Population=population2 AND number<7',
      '--match-by-position',
      '-o',
      'positional',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const pairs = await Promise.all((await ws.items('positional')).map(async (i) => (await lines(i)).map(stemOf)));
    // v1 semantics: the i-th item of each selection, in stored order (the order v1 listed the files).
    const kernel = await ws.kernel();
    const store = await kernel.openExperiment(ws.exp);
    const [images, masks] = await Promise.all(
      ['Population=population1 AND number<6', 'Population=population2 AND number<7'].map((q) => kernel.query(store, q)),
    );
    const stem = (i: DataItem) => i.name.replace(/\.tif$/, '');
    expect(pairs).toEqual((images ?? []).map((image, k) => [stem(image), stem((masks ?? [])[k] as DataItem)]));
    expect(pairs).toHaveLength(3);
    const unequal = await ws.run([
      'run',
      'test.pair',
      '-e',
      'exp100',
      '-i',
      'image=data:Population=population1 AND number<6',
      '-i',
      'mask=data:Population=population2',
      '--match-by-position',
      '-o',
      'positional',
    ]);
    expect(unequal.code).toBe(1);
    expect(unequal.stderr).toContain("pairing by position needs the same number of items in every input (got 'image' 3, 'mask' 50)");
    const unsaid = await ws.run(['run', 'test.pair', '-e', 'exp100', '-i', 'image=data', '-i', 'mask=copied', '-o', 'x']);
    expect(unsaid.stderr).toMatch(/say how to pair their items/);
  });

  it("gives a --broadcast input's one item to every job (3 images, 1 mask: 3 jobs)", async () => {
    const out = await ws.run([
      'run',
      'test.pair',
      '-e',
      'exp100',
      '-i',
      'image=data:Population=population1 AND number<6',
      '-i',
      'mask=data:name=population2_002',
      '--broadcast',
      'mask',
      '-o',
      'broadcast',
      '--no-cache',
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const { run } = runJson(out);
    expect(run.jobs).toHaveLength(3);
    expect(run.inputs.find((i) => i.name === 'mask')?.broadcast).toBe(true);
    const items = await ws.items('broadcast');
    expect(items).toHaveLength(3);
    const pairs = await Promise.all(items.map(async (item) => (await lines(item)).map(stemOf)));
    expect(pairs.map(([image]) => image).sort()).toEqual(['population1_001', 'population1_003', 'population1_005']);
    expect(pairs.every(([, mask]) => mask === 'population2_002')).toBe(true);
    // outputs keep the tags of what they were paired from, not only those shared with the broadcast item
    expect(items.map((i) => i.tags['Population'])).toEqual(['population1', 'population1', 'population1']);
    expect(items.map((i) => i.tags['number']).sort()).toEqual(['001', '003', '005']);
  });

  it('fails a run whose pairing plans no job: exit 1, the reason and the items left out, nothing stored', async () => {
    const out = await ws.run([
      'run',
      'test.pair',
      '-e',
      'exp100',
      '-i',
      'image=data:Population=population1 AND number<6',
      '-i',
      'mask=data:Population=population2 AND number<7',
      '--match-by',
      'number',
      '-o',
      'nothing',
    ]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("tool 'test.pair': the run plans no job: pairing by number left out all 6 selected item(s) ('image' 3, 'mask' 3)");
    expect(out.stderr).toContain('6 item(s) left out by pairing:');
    expect(out.stderr).toContain("image: population1_001.tif: no item with number=001 in input 'mask'");
    const datasets = await ws.run(['experiment', 'show', '-e', 'exp100', '--json']);
    expect(datasets.stdout).not.toContain('"nothing"');
  });

  it('runs a reduce tool once per --group-by group, its input a list file of the group', async () => {
    const out = await ws.run(['run', 'test.collect', '-e', 'exp100', '-i', 'i=data:number<11', '--group-by', 'Population', '-o', 'groups', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const { run } = runJson(out);
    expect(run.groupBy).toEqual(['Population']);
    expect(run.jobs.map((j) => j.inputs['i']?.length)).toEqual([5, 5]);
    const items = await ws.items('groups');
    expect(items.map((i) => i.name).sort()).toEqual(['o_population1', 'o_population2']);
    const listed = (await lines(items.find((i) => i.name === 'o_population2') as DataItem)).map(stemOf);
    expect(listed.sort()).toEqual(['population2_002', 'population2_004', 'population2_006', 'population2_008', 'population2_010']);
    expect(items[0]?.origin.type === 'processed' && items[0].origin.inputs).toHaveLength(5);
    expect(items.map((i) => i.tags).sort((a, b) => ((a['Population'] ?? '') < (b['Population'] ?? '') ? -1 : 1))).toEqual([
      { Population: 'population1' },
      { Population: 'population2' },
    ]);
  });

  it('gives reduce outputs only the tags all their inputs share: the group keys, never those of one input', async () => {
    for (const [where, well] of [
      ['number<6', 'A01'],
      ['number>=6', 'A02'],
    ] as const) {
      const tagged = await ws.run(['tag', 'set', '-e', 'exp100', '--where', where, `Well=${well}`]);
      expect(tagged.code, tagged.stderr).toBe(0);
    }
    const all = await ws.run(['run', 'test.collect', '-e', 'exp100', '-i', 'i=data:number<11', '-o', 'everything']);
    expect(all.code, all.stderr).toBe(0);
    const [summary] = await ws.items('everything');
    expect(summary?.origin.type === 'processed' && summary.origin.inputs).toHaveLength(10);
    expect(summary?.tags).toEqual({});
    const wells = await ws.run(['run', 'test.collect', '-e', 'exp100', '-i', 'i=data:number<11', '--group-by', 'Well', '-o', 'wells']);
    expect(wells.code, wells.stderr).toBe(0);
    const byWell = await ws.items('wells');
    expect(byWell.map((i) => [i.name, i.tags]).sort()).toEqual([
      ['o_A01', { Well: 'A01' }],
      ['o_A02', { Well: 'A02' }],
    ]);
    const selected = await ws.run(['query', '-e', 'exp100', '-d', 'wells', '--where', 'Population=population1', '--count']);
    expect(selected.stdout.trim()).toBe('0');
  });
});
