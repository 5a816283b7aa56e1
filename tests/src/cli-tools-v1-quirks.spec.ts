import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from './cli-harness.js';

/** A wrapper per quirk BioImageIT v1 accepts, the line it is on and how it is named. */
const WRAPPERS = [
  {
    id: 'dupchoice',
    line: 7,
    quirk: 'duplicate choice',
    inner: '<param type="select" name="mode">\n<option value="a">A</option>\n<option value="a">A again</option>\n</param>',
  },
  { id: 'intbound', line: 5, quirk: 'decimal bound on an integer parameter', inner: '<param type="integer" name="n" value="2" min="0.0"/>' },
  {
    id: 'emptyfile',
    line: 10,
    quirk: 'empty test file',
    inner: '',
    tests: '<tests>\n<test>\n<output name="o" file=""/>\n</test>\n</tests>',
  },
] as const;

const wrapper = (w: (typeof WRAPPERS)[number]): string =>
  [
    `<tool id="${w.id}" name="${w.id}" version="1.0.0">`,
    '<command>run ${i} ${o}</command>',
    '<inputs>',
    '<param type="data" name="i" format="imagetiff"/>',
    w.inner,
    '</inputs>',
    '<outputs><data name="o" format="imagetiff"/></outputs>',
    ...('tests' in w ? [w.tests] : []),
    '</tool>',
  ].join('\n');

let dir: { path: string; cleanup: () => Promise<void> };
const fileOf = (id: string) => join(dir.path, 'tools', id, `${id}.xml`);

beforeAll(async () => {
  dir = await tempDir('biit-tools-quirks-');
  for (const w of WRAPPERS) {
    await mkdir(join(dir.path, 'tools', w.id), { recursive: true });
    await writeFile(fileOf(w.id), wrapper(w));
  }
});
afterAll(() => dir.cleanup());

describe('bioimageit tools on v1 wrappers with quirks v1 accepts', () => {
  it.each(WRAPPERS.map((w) => [w.quirk, w] as const))('%s: validate loads it with a warning; --strict refuses it with the same text', async (_quirk, w) => {
    const file = fileOf(w.id);
    const lenient = await cli(dir.path, ['tools', 'validate', file]);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stdout).toContain(`ok: ${file} (${w.id}) with 1 warning(s)`);
    const warning = /^warning: (.*)$/m.exec(lenient.stderr)?.[1];
    expect(warning).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: line ${w.line}: <\\w+>: .*\\(v1 quirk: ${w.quirk}\\)$`));
    const strict = await cli(dir.path, ['tools', 'validate', '--strict', file]);
    expect(strict.code).toBe(1);
    expect(strict.stderr.trim()).toBe(`invalid: ${warning}`);
    const json = await cli(dir.path, ['tools', 'validate', file, '--json']);
    expect(JSON.parse(json.stdout)).toEqual([{ file, ok: true, id: w.id, warnings: [{ file, line: w.line, quirk: expect.any(String), message: warning }] }]);
  });

  it('tools list loads them from a tool folder and prints their warnings; tools show repeats its own', async () => {
    const list = await cli(dir.path, ['tools', 'list', '--dir', join(dir.path, 'tools'), '--json']);
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout) as { tools: { id: string }[]; problems: unknown[]; warnings: { file: string; line: number }[] };
    expect(listed.tools.map((t) => t.id).sort()).toEqual(['dupchoice', 'emptyfile', 'intbound']);
    expect(listed.problems).toEqual([]);
    expect(listed.warnings.map((w) => [w.file, w.line]).sort()).toEqual(WRAPPERS.map((w) => [fileOf(w.id), w.line]).sort());
    const text = await cli(dir.path, ['tools', 'list', '--dir', join(dir.path, 'tools')]);
    expect(text.stderr.match(/^warning: .*\(v1 quirk: .*\)$/gm)).toHaveLength(3);
    const show = await cli(dir.path, ['tools', 'show', 'dupchoice', '--dir', join(dir.path, 'tools')]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('mode: choice = a {a}');
    expect(show.stderr).toMatch(/^warning: .*dupchoice\.xml: line 7: <option>: .*\(v1 quirk: duplicate choice\)$/m);
  });
});
