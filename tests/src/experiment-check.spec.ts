import { existsSync } from 'node:fs';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentCheckReport, ExperimentProblem } from '@bioimageit/core';
import { cli, tempDir, writeStack, type CliRun } from './cli-harness.js';

type Json = Record<string, unknown>;
const readJson = async (file: string): Promise<Json> => JSON.parse(await readFile(file, 'utf8')) as Json;
const writeJson = (file: string, value: unknown): Promise<void> => writeFile(file, JSON.stringify(value, null, 4));
const summary = (problems: readonly ExperimentProblem[]): string[] => problems.map((p) => `${p.kind} ${p.file}`).sort();
const report = (run: CliRun): ExperimentCheckReport => JSON.parse(run.stdout) as ExperimentCheckReport;

let dir: { path: string; cleanup: () => Promise<void> };
let ws: string;
let exp: string;
let referenced: string;
const run = (argv: string[]): Promise<CliRun> => cli(ws, argv);

/**
 * A workspace with experiment `plate`: four tiny TIFFs copied in (Sample a..d), one referenced in
 * place, and a processed dataset `copies` made by two runs of a copying tool (on a, then on b).
 */
beforeEach(async () => {
  dir = await tempDir('biit-check-');
  ws = join(dir.path, 'ws');
  await mkdir(join(ws, 'tools'), { recursive: true });
  const config = { user: { name: 'ada' }, experiments: '.', plugins: ['@bioimageit/local-fs'], tools: { dirs: ['tools'] } };
  await writeFile(join(ws, 'bioimageit.config.json'), JSON.stringify(config, null, 2));
  await writeFile(
    join(ws, 'tools', 'test.copy.tool.json'),
    JSON.stringify({
      id: 'test.copy',
      name: 'copy',
      version: '1.0.0',
      description: 'copies its input',
      inputs: [{ name: 'i', type: 'data' }],
      outputs: [{ name: 'o', format: 'imagetiff', label: 'Copy' }],
      command: { argv: ['cp', '{inputs.i}', '{outputs.o}'] },
    }),
  );
  const incoming = join(dir.path, 'incoming');
  await mkdir(join(incoming, 'elsewhere'), { recursive: true });
  for (const [n, sample] of ['a', 'b', 'c', 'd'].entries()) await writeStack(join(incoming, `sample_${sample}.tif`), n + 1);
  referenced = join(incoming, 'elsewhere', 'sample_r.tif');
  await writeStack(referenced, 9);
  exp = join(ws, 'plate');
  const steps = [
    ['experiment', 'create', 'plate', '--keys', 'Sample'],
    ['import', incoming, '-e', 'plate', '--tag-regex', 'sample_(?<Sample>[a-d])'],
    ['import', join(incoming, 'elsewhere'), '-e', 'plate', '--reference', '--tag', 'Sample=r'],
    ['run', 'test.copy', '-e', 'plate', '-i', 'i=data:Sample=a', '-o', 'copies'],
    ['run', 'test.copy', '-e', 'plate', '-i', 'i=data:Sample=b', '-o', 'copies'],
  ];
  for (const argv of steps) {
    const out = await run(argv);
    expect(out.code, `${argv.join(' ')}\n${out.stderr}`).toBe(0);
  }
});
afterEach(() => dir.cleanup());

describe('bioimageit experiment check', () => {
  it('says a healthy experiment is healthy, even deep', async () => {
    const plain = await run(['experiment', 'check', 'plate']);
    expect([plain.code, plain.stdout]).toEqual([0, 'checked 2 dataset(s), 7 item(s), 2 run(s)\nno problems found\n']);
    const deep = await run(['experiment', 'check', 'plate', '--deep', '--json']);
    expect(deep.code).toBe(0);
    expect(report(deep)).toMatchObject({ deep: true, checked: { datasets: 2, items: 7, runs: 2, hashed: 7 }, problems: [], remaining: [] });
  });

  it('names every corruption, --repair restores what it claims to, and a second check says so', async () => {
    const data = (name: string) => join(exp, 'data', name);
    await unlink(data('sample_a.tif')); // a copied data file deleted
    await unlink(referenced); // a data file referenced in place moved away
    await writeFile(data('notes.txt'), 'not listed'); // a file no metadata names
    const bFile = data('sample_b.md.json'); // an item file edited behind the index's back
    await writeJson(bFile, { ...(await readJson(bFile)), key_value_pairs: { Sample: 'edited' } });
    const copies = join(exp, 'copies', 'processed_dataset.md.json'); // a dataset file listing one item twice
    const dataset = await readJson(copies);
    const urls = dataset['urls'] as Json[];
    await writeJson(copies, { ...dataset, urls: [...urls, urls[0]] });
    const runFile = join(exp, 'copies', 'run.md.json'); // a run record without status
    const runDoc = await readJson(runFile);
    const { status: _status, ...record } = runDoc['bioimageit_ts'] as Json;
    await writeJson(runFile, { ...runDoc, bioimageit_ts: record });
    await unlink(join(exp, 'copies', 'run_1.md.json')); // a processed item whose run is gone

    const expected = [
      'missing-data data/sample_a.tif',
      `missing-data ${referenced}`,
      'orphan-file data/notes.txt',
      'index-drift data/sample_b.md.json',
      'duplicate-entry copies/processed_dataset.md.json',
      'run-without-status copies/run.md.json',
      'missing-run copies/o_sample_b.md.json',
    ].sort();
    const json = await run(['experiment', 'check', 'plate', '--json']);
    expect(json.code).toBe(1);
    expect(summary(report(json).problems)).toEqual(expected);
    const text = await run(['experiment', 'check', 'plate']);
    expect(text.code).toBe(1);
    const lines = text.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'checked 2 dataset(s), 7 item(s), 1 run(s)',
      '7 problem(s):',
      expect.stringMatching(/^KIND +DATASET +FILE +REPAIR +PROBLEM$/),
    ]);
    for (const problem of expected) {
      const [kind, file] = problem.split(' ') as [string, string];
      expect(
        lines.find((l) => l.startsWith(`${kind} `) && l.includes(` ${file} `)),
        problem,
      ).toBeDefined();
    }
    expect(lines.find((l) => l.startsWith('index-drift '))).toMatch(/ --repair +the index holds another version of this item file/);
    expect(lines.find((l) => l.startsWith('missing-data ') && l.includes('sample_a'))).toMatch(/ no +the data file does not exist$/);
    expect(text.stdout).toContain("3 of them can be fixed by 'bioimageit experiment check --repair'");
    // The index served the stale tag, and queries mark the items whose data is gone.
    expect((await run(['query', '-e', 'plate', '--where', 'Sample=edited', '--count'])).stdout.trim()).toBe('0');
    const query = await run(['query', '-e', 'plate', '--where', 'Sample in (a, c)']);
    expect(query.stdout).toMatch(/^NAME +Sample +FORMAT +DATA +ID$/m);
    expect(query.stdout).toMatch(/^sample_a\.tif +a +imagetiff +MISSING /m);
    expect(query.stdout).toMatch(/^sample_c\.tif +c +imagetiff +ok /m);
    expect(query.stderr).toContain("1 of them with their data file missing (see 'bioimageit experiment check')");
    const hits = JSON.parse((await run(['query', '-e', 'plate', '--where', 'Sample in (a, c)', '--json'])).stdout) as { name: string; missing?: true }[];
    expect(hits.map((h) => [h.name, h.missing])).toEqual([
      ['sample_a.tif', true],
      ['sample_c.tif', undefined],
    ]);

    const repaired = await run(['experiment', 'check', 'plate', '--repair']);
    expect(repaired.code, repaired.stderr).toBe(1);
    expect(repaired.stdout).toMatch(/^repaired 3:$/m);
    expect(repaired.stdout).toMatch(/^duplicate-entry +copies\/processed_dataset\.md\.json +dropped 1 duplicate entry \(kept the first of each\)$/m);
    expect(repaired.stdout).toMatch(/^run-without-status +copies\/run\.md\.json +recorded status unknown \(the record had none\)$/m);
    expect(repaired.stdout).toMatch(/^index-drift +\.bioimageit\/index\.jsonl +deleted the index \(a cache\) and rebuilt it from the dataset and item files$/m);
    expect(repaired.stdout).toContain('4 problem(s) left:');
    // What it claims: the index serves the edit, the duplicate is gone, the run reads `unknown`; no data was deleted.
    expect((await run(['query', '-e', 'plate', '--where', 'Sample=edited', '--count'])).stdout.trim()).toBe('1');
    expect(((await readJson(copies))['urls'] as Json[]).length).toBe(urls.length);
    expect((await run(['runs', 'list', '-e', 'plate'])).stdout).toMatch(/unknown/);
    expect(existsSync(data('notes.txt'))).toBe(true);
    const again = await run(['experiment', 'check', 'plate', '--json']);
    expect(again.code).toBe(1);
    expect(summary(report(again).problems)).toEqual(
      ['missing-data data/sample_a.tif', `missing-data ${referenced}`, 'orphan-file data/notes.txt', 'missing-run copies/o_sample_b.md.json'].sort(),
    );
    expect(report(again).problems.every((p) => !p.repairable)).toBe(true);
  });

  it('exits 0 once --repair fixed everything, and --deep catches a changed byte a plain check cannot see', async () => {
    const bFile = join(exp, 'data', 'sample_b.md.json');
    await writeJson(bFile, { ...(await readJson(bFile)), key_value_pairs: { Sample: 'edited' } });
    const repaired = await run(['experiment', 'check', 'plate', '--repair']);
    expect([repaired.code, repaired.stdout.split('\n').at(-2)]).toEqual([0, 'no problem left']);
    expect((await run(['experiment', 'check', 'plate'])).code).toBe(0);

    const file = join(exp, 'data', 'sample_c.tif');
    const bytes = await readFile(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
    await writeFile(file, bytes);
    expect((await run(['experiment', 'check', 'plate'])).code).toBe(0);
    const deep = await run(['experiment', 'check', 'plate', '--deep', '--json']);
    expect(deep.code).toBe(1);
    expect(report(deep).problems).toEqual([
      expect.objectContaining({
        kind: 'checksum-mismatch',
        file: 'data/sample_c.tif',
        item: expect.objectContaining({ name: 'sample_c.tif' }),
        repairable: false,
      }),
    ]);
    const deepRepair = await run(['experiment', 'check', 'plate', '--deep', '--repair']);
    expect(deepRepair.code).toBe(1);
    expect(deepRepair.stdout).toMatch(
      /^checksum-mismatch +data +data\/sample_c\.tif +no +the data file's sha256 is [0-9a-f]{12}…, not the recorded [0-9a-f]{12}… \(its content changed\)$/m,
    );
  });
});
