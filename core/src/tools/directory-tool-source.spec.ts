import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryToolSource } from './directory-tool-source.js';

const TOOLS = fileURLToPath(new URL('../../../tests/fixtures/v1/tools/', import.meta.url));

const native = (id: string): string => JSON.stringify({ id, name: id, version: '2.0.0', description: `the ${id} tool`, command: { argv: ['true'] } });

describe('DirectoryToolSource', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'biit-tools-'));
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  it('lists the three v1 fixture wrappers and resolves ids and v1 keys', async () => {
    const source = new DirectoryToolSource({ folders: [TOOLS] });
    expect(source.id).toBe('directories');
    expect(await source.listTools()).toEqual([
      {
        id: 'biitcopy',
        name: 'biitcopy',
        version: '1.0.0',
        description: 'Copy the input image to the output (no-op baseline tool)',
        source: join(TOOLS, 'biitcopy/biitcopy.xml'),
      },
      {
        id: 'biitfail',
        name: 'biitfail',
        version: '1.0.0',
        description: 'Always exits with status 1 (error-handling check)',
        source: join(TOOLS, 'biitfail/biitfail.xml'),
      },
      {
        id: 'biitthreshold',
        name: 'biitthreshold',
        version: '1.0.0',
        description: 'Binary threshold written as a python one-liner',
        source: join(TOOLS, 'biitthreshold/biitthreshold.xml'),
      },
    ]);
    expect(await source.problems()).toEqual([]);
    expect((await source.getTool('biitthreshold')).inputs).toHaveLength(2);
    expect((await source.getTool('biitthreshold_v1.0.0')).id).toBe('biitthreshold');
    await expect(source.getTool('biitcopy_v2.0.0')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('finds native manifests and <tool> XML anywhere, ignoring other XML, hidden folders, node_modules and test-data', async () => {
    await mkdir(join(root, 'a/b'), { recursive: true });
    await writeFile(join(root, 'a/b/blur.tool.json'), native('demo.blur'));
    await writeFile(
      join(root, 'a/lonely.xml'),
      '<?xml version="1.0"?>\n<!-- wrapper -->\n<tool id="lonely" name="Lonely" version="1"><command>true</command></tool>',
    );
    await writeFile(join(root, 'a/other.xml'), '<config><tool/></config>');
    for (const skipped of ['.git', 'node_modules', 'x/test-data']) {
      await mkdir(join(root, skipped), { recursive: true });
      await writeFile(join(root, skipped, 'h.tool.json'), native('hidden'));
    }
    await symlink(root, join(root, 'a/loop'));
    const source = new DirectoryToolSource({ id: 'mine', folders: [root] });
    expect((await source.listTools()).map((t) => t.id)).toEqual(['demo.blur', 'lonely']);
    expect(await source.problems()).toEqual([]);
  });

  it('keeps the good tools next to a broken file and reports the broken file', async () => {
    await cp(join(TOOLS, 'biitcopy'), join(root, 'biitcopy'), { recursive: true });
    await writeFile(join(root, 'biitcopy/broken.xml'), '<tool id="broken" name="b" version="1">\n<command>x</command>\n<inputs>\n</tool>');
    await writeFile(join(root, 'bad.tool.json'), '{"id": "bad", "name": "Bad", "version": "1", "command": {"argv": []}}');
    await writeFile(join(root, 'good.tool.json'), native('demo.good'));
    const source = new DirectoryToolSource({ folders: [root, join(root, 'missing')] });
    expect((await source.listTools()).map((t) => t.id)).toEqual(['biitcopy', 'demo.good']);
    const problems = await source.problems();
    expect(problems.map((p) => [p.file, p.error.code])).toEqual([
      [join(root, 'missing'), 'NOT_FOUND'],
      [join(root, 'bad.tool.json'), 'BAD_MANIFEST'],
      [join(root, 'biitcopy/broken.xml'), 'BAD_MANIFEST'],
    ]);
    expect(problems[1]?.error.message).toMatch(/bad\.tool\.json: invalid tool manifest: command\.argv: needs at least the program/);
    expect(problems[2]?.error.message).toMatch(/broken\.xml: line 4, column 1: <\/tool> does not match <inputs> opened on line 3/);
    await expect(source.getTool('broken')).rejects.toThrow(/no tool 'broken' in .*\(2 tool files failed to load; see problems\)/);
  });

  it('reports duplicate ids across folders naming both files, keeping the first', async () => {
    await mkdir(join(root, 'one'));
    await mkdir(join(root, 'two'));
    await writeFile(join(root, 'one/x.tool.json'), native('demo.x'));
    await writeFile(join(root, 'two/x.tool.json'), native('demo.x'));
    await cp(join(TOOLS, 'biitfail'), join(root, 'two/biitfail'), { recursive: true });
    const source = new DirectoryToolSource({ folders: [join(root, 'two'), join(root, 'one'), TOOLS] });
    expect((await source.listTools()).map((t) => [t.id, t.source])).toEqual([
      ['biitfail', join(root, 'two/biitfail/biitfail.xml')],
      ['demo.x', join(root, 'two/x.tool.json')],
      ['biitcopy', join(TOOLS, 'biitcopy/biitcopy.xml')],
      ['biitthreshold', join(TOOLS, 'biitthreshold/biitthreshold.xml')],
    ]);
    const problems = await source.problems();
    expect(problems.map((p) => p.error.code)).toEqual(['DUPLICATE_TOOL', 'DUPLICATE_TOOL']);
    expect(problems[0]?.error.message).toBe(
      `tool id 'demo.x' is defined by both ${join(root, 'two/x.tool.json')} and ${join(root, 'one/x.tool.json')}; keeping the first`,
    );
    expect(problems[1]?.error.details).toMatchObject({
      tool: 'biitfail',
      files: [join(root, 'two/biitfail/biitfail.xml'), join(TOOLS, 'biitfail/biitfail.xml')],
    });
  });

  it('reads the folders again after reload()', async () => {
    const source = new DirectoryToolSource({ folders: [root] });
    expect(await source.listTools()).toEqual([]);
    await writeFile(join(root, 'new.tool.json'), native('demo.new'));
    expect(await source.listTools()).toEqual([]);
    source.reload();
    expect((await source.getTool('demo.new')).description).toBe('the demo.new tool');
  });
});
