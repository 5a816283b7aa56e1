import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyV1Experiment, tempDir } from './cli-harness.js';
import { BUILT_CLI, startCli, TSX_CLI } from './cli-process.js';

let dir: { path: string; cleanup: () => Promise<void> };
let exp: string;
beforeAll(async () => {
  dir = await tempDir('biit-proc-');
  exp = await copyV1Experiment(dir.path);
});
afterAll(async () => {
  await dir.cleanup();
});

// Decorator metadata is not emitted by tsx/esbuild nor by tsc here: these runs prove that every
// injection names its token explicitly, outside vitest.
describe.each([
  ['built JavaScript', BUILT_CLI],
  ['tsx on the sources', TSX_CLI],
])('the bioimageit command as a process (%s)', (_label, prefix) => {
  it('queries the v1 experiment and lists the plugins', async () => {
    const query = await startCli(prefix, ['query', '-e', exp, '--where', 'Population=population1 AND number>2', '--count'], dir.path).done;
    expect(query.stderr).toBe('');
    expect(query.code).toBe(0);
    expect(query.stdout.trim()).toBe('49');
    const plugins = await startCli(prefix, ['plugins', '--json'], dir.path).done;
    expect(JSON.parse(plugins.stdout)).toEqual([expect.objectContaining({ id: 'local-fs', packageName: '@bioimageit/local-fs', state: 'declared' })]);
  });

  it('fails with one line and exit code 1 on a bad query', async () => {
    const run = await startCli(prefix, ['query', '-e', join(exp), '--where', 'number >> 2'], dir.path).done;
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toMatch(/^error: query error at column \d+/);
  });
});
