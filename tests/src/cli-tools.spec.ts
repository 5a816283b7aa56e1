import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, tempDir, V1_FIXTURES, writeStack } from './cli-harness.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('biit-tools-');
});
afterEach(async () => {
  await dir.cleanup();
});

describe('bioimageit tools', () => {
  it('lists and shows the v1 wrappers of the configured tool folders', async () => {
    const tools = join(V1_FIXTURES, 'tools');
    const list = await cli(dir.path, ['tools', 'list', '--dir', tools, '--json']);
    expect(list.code).toBe(0);
    const { tools: found, problems } = JSON.parse(list.stdout) as { tools: { id: string; version: string }[]; problems: unknown[] };
    expect(found.map((t) => t.id).sort()).toEqual(['biitcopy', 'biitfail', 'biitthreshold']);
    expect(problems).toEqual([]);
    const show = await cli(dir.path, ['tools', 'show', 'biitcopy_v1.0.0', '--dir', tools]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('biitcopy (biitcopy 1.0.0');
    expect(show.stdout).toMatch(/i: data \(imagetiff\)/);
    const missing = await cli(dir.path, ['tools', 'show', 'nope', '--dir', tools]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no tool 'nope'/);
  });

  it('validates tool files, naming the file and the problem', async () => {
    const good = join(V1_FIXTURES, 'tools', 'biitthreshold', 'biitthreshold.xml');
    await mkdir(join(dir.path, 't'), { recursive: true });
    const bad = join(dir.path, 't', 'bad.tool.json');
    await writeFile(
      bad,
      JSON.stringify({ id: 'bad', name: 'Bad', version: '1.0.0', inputs: [{ name: 'x', type: 'matrix' }], outputs: [], command: { argv: ['true'] } }),
    );
    const run = await cli(dir.path, ['tools', 'validate', good, bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`ok: ${good} (biitthreshold)`);
    expect(run.stderr).toContain(bad);
    expect(run.stderr).toMatch(/inputs\[0\]\.type/);
  });

  it("runs a tool's own test cases and reports the failing comparison", async () => {
    const toolDir = join(dir.path, 'tools', 'copy');
    await mkdir(join(toolDir, 'test-data'), { recursive: true });
    await writeStack(join(toolDir, 'test-data', 'in.tif'), 1);
    await writeStack(join(toolDir, 'test-data', 'bigger.tif'), 2, [4, 8, 8]);
    const manifest = {
      id: 'test.copy',
      name: 'Copy',
      version: '1.0.0',
      description: 'copies its input',
      inputs: [{ name: 'i', type: 'data', format: 'imagetiff' }],
      outputs: [{ name: 'o', format: 'imagetiff' }],
      command: { argv: ['cp', '{inputs.i}', '{outputs.o}'] },
      tests: [
        { params: {}, inputs: { i: 'in.tif' }, outputs: { o: { file: 'in.tif' } } },
        { params: {}, inputs: { i: 'in.tif' }, outputs: { o: { file: 'in.tif', compare: 'sim_content' } } },
        { params: {}, inputs: { i: 'in.tif' }, outputs: { o: { file: 'bigger.tif', compare: 'same_size' } } },
      ],
    };
    await writeFile(join(toolDir, 'copy.tool.json'), JSON.stringify(manifest));
    const run = await cli(dir.path, ['tools', 'test', 'test.copy', '--dir', join(dir.path, 'tools')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('test 1: passed');
    expect(run.stdout).toContain('test 2: passed');
    expect(run.stderr).toMatch(/test 3: FAILED: output o: size \d+ bytes, expected \d+ \(same_size\)/);
    expect(run.stdout).toContain('2 passed, 1 failed');
  });
});
