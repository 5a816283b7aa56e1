import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingCopyTool, runWorkspace, type RunWorkspace } from './run-harness.js';

let ws: RunWorkspace;
beforeAll(async () => {
  ws = await runWorkspace('bioimageit-run-pipe-');
  await ws.addTool(countingCopyTool('test.count'));
});
afterAll(() => ws.cleanup());

/** Two steps, listed downstream first: `second` reads what `first` made. */
const pipeline = (secondTag: string) => ({
  name: 'twostep',
  steps: [
    { name: 'second', tool: 'test.count', params: { tag: secondTag }, inputs: [{ name: 'i', step: 'first' }], outputDataset: 'second' },
    {
      name: 'first',
      tool: 'test.count',
      params: { tag: 'first' },
      inputs: [{ name: 'i', dataset: 'data', query: 'Population=population1 AND number<8' }],
      outputDataset: 'first',
    },
  ],
});

const tags = async () => (await ws.executions()).map((l) => l.split(' ')[0]);

describe('bioimageit pipeline run', () => {
  it('runs steps in dependency order, and a re-run with one changed parameter re-runs only that step', async () => {
    const file = join(ws.path, 'pipeline.json');
    await writeFile(file, JSON.stringify(pipeline('b')));
    const first = await ws.run(['pipeline', 'run', file, '-e', 'exp100']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/step first: run \S+ succeeded: 4 job\(s\) \(4 succeeded\)[\s\S]*step second: run \S+ succeeded: 4 job\(s\) \(4 succeeded\)/);
    expect(await tags()).toEqual(['first', 'first', 'first', 'first', 'b', 'b', 'b', 'b']);
    const outputsOfFirst = new Set((await ws.items('first')).map((i) => i.id));
    const second = await ws.items('second');
    expect(second.every((i) => i.origin.type === 'processed' && outputsOfFirst.has(i.origin.inputs[0]?.id as string))).toBe(true);
    expect(second.map((i) => i.name).sort()).toEqual(['o_o_population1_001', 'o_o_population1_003', 'o_o_population1_005', 'o_o_population1_007']);

    const unchanged = await ws.run(['pipeline', 'run', file, '-e', 'exp100']);
    expect(unchanged.stdout).toMatch(/pipeline twostep succeeded: 2 step\(s\), 8 job\(s\), 8 from cache/);
    expect(await ws.executions()).toHaveLength(8);

    await writeFile(file, JSON.stringify(pipeline('c')));
    const changed = await ws.run(['pipeline', 'run', file, '-e', 'exp100', '--json']);
    expect(changed.code, changed.stderr).toBe(0);
    const report = JSON.parse(changed.stdout) as { steps: { step: string; run: { jobs: { status: string }[] } }[] };
    expect(report.steps.map((s) => [s.step, s.run.jobs.map((j) => j.status)])).toEqual([
      ['first', ['cached', 'cached', 'cached', 'cached']],
      ['second', ['succeeded', 'succeeded', 'succeeded', 'succeeded']],
    ]);
    expect((await tags()).slice(8)).toEqual(['c', 'c', 'c', 'c']);
  });

  it("runs v1's pipeline JSON shape and explains a cycle", async () => {
    const v1 = {
      name: 'v1pipe',
      steps: [
        {
          name: 'copy',
          tool: 'biitcopy_v1.0.0',
          output_dataset_name: 'v1copy',
          inputs: [{ name: 'i', dataset: 'data', query: 'number<3', origin_output_name: '' }],
          parameters: [],
        },
      ],
    };
    const file = join(ws.path, 'v1.json');
    await writeFile(file, JSON.stringify(v1));
    const out = await ws.run(['pipeline', 'run', file, '-e', 'exp100']);
    expect(out.code, out.stderr).toBe(0);
    expect((await ws.items('v1copy')).map((i) => i.name).sort()).toEqual(['o_population1_001', 'o_population2_002']);
    const cyclic = {
      name: 'loop',
      steps: [
        { name: 'a', tool: 'biitcopy', inputs: [{ name: 'i', step: 'b' }] },
        { name: 'b', tool: 'biitcopy', inputs: [{ name: 'i', step: 'a' }] },
      ],
    };
    await writeFile(file, JSON.stringify(cyclic));
    const bad = await ws.run(['pipeline', 'run', file, '-e', 'exp100']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("error: pipeline 'loop': steps 'a', 'b' depend on each other in a cycle\n");
  });
});
