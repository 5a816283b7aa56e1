import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingCopyTool, runJson, runWorkspace, type RunWorkspace } from './run-harness.js';

let ws: RunWorkspace;
beforeAll(async () => {
  ws = await runWorkspace('bioimageit-run-exec-');
  // Writes its own argv (after the script) as JSON into its output: shows exactly what the tool received.
  await ws.addTool({
    id: 'test.argv',
    inputs: [
      { name: 'i', type: 'data' },
      { name: 'a', type: 'string' },
      { name: 'b', type: 'string' },
    ],
    outputs: [{ name: 'o', format: 'json', extension: 'json' }],
    command: {
      argv: [
        process.execPath,
        '-e',
        'require("fs").writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))',
        '{outputs.o}',
        '{params.a}',
        '{params.b}',
        '{inputs.i}',
      ],
    },
  });
  // Records when it started and ended (ns since the epoch) in its output.
  await ws.addTool({
    id: 'test.span',
    inputs: [{ name: 'i', type: 'data' }],
    outputs: [{ name: 'o', format: 'text', extension: 'txt' }],
    command: { argv: ['sh', '-c', 's=$(date +%s%N); sleep 0.3; e=$(date +%s%N); echo "$s $e" > "$1"', 'sh', '{outputs.o}'] },
  });
  await ws.addTool(countingCopyTool('test.count'));
});
afterAll(() => ws.cleanup());

const readOutput = async (dataset: string) => Promise.all((await ws.items(dataset)).map((i) => readFile(fileURLToPath(i.dataUri), 'utf8')));

describe('bioimageit run: execution', () => {
  it('passes `x; rm -rf ~` and `$(id)` to the tool as single literal arguments', async () => {
    const out = await ws.run([
      'run',
      'test.argv',
      '-e',
      'exp100',
      '-i',
      'i=data:name=population1_001',
      '-p',
      'a=x; rm -rf ~',
      '-p',
      'b=$(id) `id` "q" *',
      '-o',
      'argv',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const [text] = await readOutput('argv');
    const argv = JSON.parse(text as string) as string[];
    expect(argv.slice(0, 2)).toEqual(['x; rm -rf ~', '$(id) `id` "q" *']);
    expect(argv[2]).toMatch(/\/exp100\/data\/population1_001\.tif$/);
    expect(argv).toHaveLength(3);
  });

  it('runs jobs concurrently with --jobs 2 (the intervals the tool wrote overlap)', async () => {
    const out = await ws.run(['run', 'test.span', '-e', 'exp100', '-i', 'i=data:Population=population1 AND number<5', '-o', 'spans', '--jobs', '2']);
    expect(out.code, out.stderr).toBe(0);
    const spans = (await readOutput('spans')).map((t) => t.trim().split(' ').map(BigInt) as [bigint, bigint]);
    expect(spans).toHaveLength(2);
    const [[s1, e1], [s2, e2]] = spans as [[bigint, bigint], [bigint, bigint]];
    expect(s1 < e2 && s2 < e1).toBe(true);
  });

  it('serves a second identical run from the cache: no new execution, same outputs', async () => {
    const args = ['run', 'test.count', '-e', 'exp100', '-i', 'i=data:Population=population2 AND number<10', '-o', 'counted', '--json'];
    const first = runJson(await ws.run(args));
    const ran = (await ws.executions()).length;
    expect(ran).toBe(first.run.jobs.length);
    const second = runJson(await ws.run(args));
    expect(await ws.executions()).toHaveLength(ran);
    expect(second.run.status).toBe('succeeded');
    expect(second.run.jobs.map((j) => [j.status, j.outputs, j.cachedFrom?.runId])).toEqual(first.run.jobs.map((j) => ['cached', j.outputs, first.run.id]));
    expect(await ws.items('counted')).toHaveLength(ran);
    const uncached = runJson(await ws.run([...args, '--no-cache']));
    expect(uncached.run.jobs.every((j) => j.status === 'succeeded')).toBe(true);
    expect(await ws.executions()).toHaveLength(2 * ran);
  });
});
