import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTiffPixels, type DataItem } from '@bioimageit/core';
import { debianPython, skipWithout } from '@bioimageit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V1_FIXTURES } from './cli-harness.js';
import { runJson, runWorkspace, type RunWorkspace } from './run-harness.js';

const V1_EXP = join(V1_FIXTURES, 'exp100');
const fileOf = (item: DataItem) => fileURLToPath(item.dataUri);
/** v1's threshold wrapper runs `python3 biitthreshold.py` with tifffile and numpy. */
const noTifffile = skipWithout('python', debianPython(['tifffile', 'numpy']).why, import.meta.url);

/** v1's output item files of a processed dataset: name → parsed .md.json. */
async function v1Outputs(
  dataset: string,
): Promise<Map<string, { origin: { inputs: { name: string; uuid: string }[]; output: { name: string; label: string } } }>> {
  const files = (await readdir(join(V1_EXP, dataset))).filter((f) => f.startsWith('o_') && f.endsWith('.md.json'));
  const docs = await Promise.all(files.map(async (f) => [f.replace(/\.md\.json$/, ''), JSON.parse(await readFile(join(V1_EXP, dataset, f), 'utf8'))] as const));
  return new Map(docs);
}

let ws: RunWorkspace;
beforeAll(async () => {
  ws = await runWorkspace('bioimageit-run-v1-');
});
afterAll(() => ws.cleanup());

describe('v1 wrappers run on exp100 like v1 ran them', () => {
  it("biitcopy writes byte-identical outputs named like v1's copied/ dataset", async () => {
    const out = await ws.run(['run', 'biitcopy', '-e', 'exp100', '--input', 'i=data', '--output-dataset', 'copied2', '--jobs', '2', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const { run } = runJson(out);
    expect(run.status).toBe('succeeded');
    expect(run.jobs).toHaveLength(100);
    const items = await ws.items('copied2');
    const v1 = await v1Outputs('copied');
    expect(items.map((i) => basename(fileOf(i)).replace(/\.tif$/, '')).sort()).toEqual([...v1.keys()].sort());
    const raw = new Map((await ws.items('data')).map((i) => [i.id, i]));
    for (const item of items) {
      const input = item.origin.type === 'processed' ? raw.get(item.origin.inputs[0]?.id ?? '') : undefined;
      expect(input, item.name).toBeDefined();
      expect(Buffer.compare(await readFile(fileOf(item)), await readFile(fileOf(input as DataItem)))).toBe(0);
      expect(item.tags).toEqual(input?.tags);
    }
  });

  it.skipIf(noTifffile)("biitthreshold (Debian python3 + tifffile) reproduces v1's threshold/ dataset: names, pixels, origins", async () => {
    const out = await ws.run([
      'run',
      'biitthreshold',
      '-e',
      'exp100',
      '--input',
      'i=data:Population=population1 AND number>2',
      '--param',
      'threshold=128',
      '-o',
      'threshold2',
      '-j',
      '2',
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/succeeded: 49 job\(s\) \(49 succeeded\) into dataset 'threshold2'/);
    const items = await ws.items('threshold2');
    const v1 = await v1Outputs('threshold');
    expect(items).toHaveLength(49);
    for (const item of items) {
      const stem = basename(fileOf(item)).replace(/\.tif$/, '');
      const expected = v1.get(stem);
      expect(expected, stem).toBeDefined();
      expect([stem, `${stem}.tif`]).toContain(item.name);
      const [ours, theirs] = await Promise.all([readTiffPixels(fileOf(item)), readTiffPixels(join(V1_EXP, 'threshold', `${stem}.tif`))]);
      expect([ours.dtype, ours.shape]).toEqual([theirs.dtype, theirs.shape]);
      expect(Buffer.from(ours.data.buffer).equals(Buffer.from(theirs.data.buffer))).toBe(true);
      const origin = item.origin.type === 'processed' ? item.origin : undefined;
      expect(origin?.output).toEqual(expected?.origin.output);
      expect(origin?.inputs.map((i) => [i.name, i.id])).toEqual(expected?.origin.inputs.map((i) => [i.name, i.uuid]));
      expect(item.metadata).toMatchObject({ dtype: 'uint8' });
    }
    const [run] = await ws.runs('threshold2');
    expect(run).toMatchObject({
      tool: { id: 'biitthreshold', version: '1.0.0' },
      parameters: [{ name: 'threshold', value: '128' }],
      status: 'succeeded',
      user: 'tester',
    });
    expect(run?.jobs.every((j) => j.exitCode === 0 && j.environment?.['runner'] === 'local')).toBe(true);
  });

  it('biitfail fails the run: nothing committed, logs kept, exit codes recorded; runs show lists them', async () => {
    const out = await ws.run(['run', 'biitfail', '-e', 'exp100', '--input', 'i=data:number<3', '-o', 'failing']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/failed: 2 job\(s\) \(2 failed\) into dataset 'failing'/);
    expect(out.stderr).toMatch(/job-0001 failed: biitfail exited with code 1 \(log: .*failing\/logs\/.*job-0001\.stderr\.log\)/);
    expect(await ws.items('failing')).toEqual([]);
    const [run] = await ws.runs('failing');
    expect(run?.status).toBe('failed');
    expect(run?.jobs.map((j) => [j.status, j.exitCode, j.outputs.length])).toEqual(Array(2).fill(['failed', 1, 0]));
    const folder = join(ws.exp, 'failing');
    for (const job of run?.jobs ?? []) expect(existsSync(join(folder, job.stderr as string))).toBe(true);
    const shown = await ws.run(['runs', 'show', (run?.id as string).slice(0, 8), '-e', 'exp100']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/status: +failed \(2 failed\)/);
    expect(shown.stdout).toMatch(
      /job-0002 +failed +1 +i=population\d_\d{3}\.tif +\S+job-0002\.stdout\.log +\S+job-0002\.stderr\.log +biitfail exited with code 1/,
    );
    const listed = await ws.run(['runs', 'list', '-e', 'exp100', '--json']);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((r) => r.id)).toContain(run?.id);
  });
});
