import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { UsageError } from '../usage-error.js';
import { parseRunnerOptions } from './runners-command.js';

const EXP100 = fileURLToPath(new URL('../../../tests/fixtures/v1/exp100', import.meta.url));

let ws: string;
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'bioimageit-runner-options-'));
  await cp(EXP100, join(ws, 'exp100'), { recursive: true });
  await mkdir(join(ws, 'tools'));
  await writeFile(
    join(ws, 'tools', 'test.copy.tool.json'),
    JSON.stringify({
      id: 'test.copy',
      name: 'copy',
      version: '1.0.0',
      description: 'copies its input',
      inputs: [{ name: 'i', type: 'data' }],
      outputs: [{ name: 'o', format: 'imagetiff' }],
      command: { argv: ['cp', '{inputs.i}', '{outputs.o}'] },
    }),
  );
  await writeFile(
    join(ws, 'pipeline.json'),
    JSON.stringify({ name: 'copying', steps: [{ name: 'copy', tool: 'test.copy', inputs: [{ name: 'i' }], outputDataset: 'pipeline-copies' }] }),
  );
  await writeFile(
    join(ws, 'bioimageit.config.json'),
    JSON.stringify({ user: { name: 'tester' }, experiments: '.', plugins: ['@bioimageit/local-fs'], tools: { dirs: ['tools'] } }),
  );
});
afterAll(() => rm(ws, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    cwd: ws,
    env: { PATH: process.env['PATH'], USER: 'tester', BIOIMAGEIT_WORKSPACE: ws },
    output: { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), interactive: false },
  });
  return { code, out, err };
}

describe('--runner-option', () => {
  it('parses repeated NAME=VALUE flags, keeping values as text (the engine types them)', () => {
    expect(parseRunnerOptions(['partition=gpu', 'time=00:10:00', ' cpus-per-task =4', 'gres=gpu:a100:1'])).toEqual({
      partition: 'gpu',
      time: '00:10:00',
      'cpus-per-task': '4',
      gres: 'gpu:a100:1',
    });
    expect(parseRunnerOptions([])).toEqual({});
    expect(() => parseRunnerOptions(['partition'])).toThrow(UsageError);
    expect(() => parseRunnerOptions(['=gpu'])).toThrow("--runner-option expects NAME=VALUE, got '=gpu'");
    expect(() => parseRunnerOptions(['time=1', 'time=2'])).toThrow('--runner-option time is given twice');
  });

  it('is offered by run and pipeline run, and `runners` lists each runner with its options', async () => {
    expect((await cli(['run', '--help'])).out).toContain('--runner-option <name=value>');
    expect((await cli(['pipeline', 'run', '--help'])).out).toContain('--runner-option <name=value>');
    const listed = await cli(['runners']);
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toBe('local (core)\n  no per-run options\n');
    const json = await cli(['--json', 'runners']);
    expect(JSON.parse(json.out)).toEqual([{ id: 'local', plugin: 'core', available: true, options: {} }]);
  });

  it('refuses an option the runner does not take, naming it, before anything runs', async () => {
    const run = await cli([
      'run',
      'test.copy',
      '-e',
      'exp100',
      '-i',
      'i=data:number=001',
      '-o',
      'nowhere',
      '--runner',
      'local',
      '--runner-option',
      'partition=gpu',
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("runner 'local' has no option 'partition' (it accepts none)");
    const pipeline = await cli(['pipeline', 'run', 'pipeline.json', '-e', 'exp100', '--runner', 'local', '--runner-option', 'time=10']);
    expect(pipeline.code).toBe(1);
    expect(pipeline.err).toContain("runner 'local' has no option 'time'");
    const unnamed = await cli(['pipeline', 'run', 'pipeline.json', '-e', 'exp100', '--runner-option', 'time=10']);
    expect(unnamed.code).toBe(2);
    expect(unnamed.err).toContain('--runner-option needs --runner');
    const runs = JSON.parse((await cli(['--json', 'runs', 'list', '-e', 'exp100'])).out) as { dataset: string }[];
    expect(runs.map((r) => r.dataset)).toEqual(['copied', 'threshold']);
  });
});
