import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryToolSource } from './directory-tool-source.js';
import { loadToolFile } from './find-tool-files.js';
import type { ToolLoadWarning } from './v1-quirks.js';

/** One wrapper per quirk BioImageIT v1 accepts; `line` is where the quirk is. */
const QUIRKS = {
  'duplicate-choice': {
    line: 8,
    xml: [
      '<tool id="dupchoice" name="dupchoice" version="1.0.0">',
      '  <command>run ${i} ${mode} ${o}</command>',
      '  <inputs>',
      '    <param type="data" name="i" format="imagetiff"/>',
      '    <param type="select" name="mode" label="Mode">',
      '      <option value="fast">Fast</option>',
      '      <option value="slow" selected="true">Slow</option>',
      '      <option value="fast">Fast again</option>',
      '    </param>',
      '  </inputs>',
      '  <outputs><data name="o" format="imagetiff"/></outputs>',
      '</tool>',
    ],
    message: "line 8: <option>: select parameter 'mode' repeats the option value 'fast' of line 6; the first is kept (v1 quirk: duplicate choice)",
  },
  'empty-test-file': {
    line: 11,
    xml: [
      '<tool id="emptyfile" name="emptyfile" version="1.0.0">',
      '  <command>run ${i} ${o}</command>',
      '  <inputs>',
      '    <param type="data" name="i" format="imagetiff"/>',
      '  </inputs>',
      '  <outputs><data name="o" format="imagetiff"/></outputs>',
      '  <tests>',
      '    <test>',
      '      <param name="i" value="in.tif"/>',
      '',
      '      <output name="o" file=""/>',
      '    </test>',
      '  </tests>',
      '</tool>',
    ],
    message: 'line 11: <output>: test output \'o\' has an empty file=""; only its existence is checked (v1 quirk: empty test file)',
  },
  'decimal-integer-bound': {
    line: 5,
    xml: [
      '<tool id="intbound" name="intbound" version="1.0.0">',
      '  <command>run ${i} ${n} ${o}</command>',
      '  <inputs>',
      '    <param type="data" name="i" format="imagetiff"/>',
      '    <param type="integer" name="n" value="1" min="0.0" max="10.0"/>',
      '  </inputs>',
      '  <outputs><data name="o" format="imagetiff"/></outputs>',
      '</tool>',
    ],
    message: `line 5: <param>: integer parameter 'n': min="0.0" is a decimal number; read as 0 (v1 quirk: decimal bound on an integer parameter)`,
  },
} as const;

let dir: string;
const fileOf = (quirk: keyof typeof QUIRKS): string => join(dir, quirk, `${quirk}.xml`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-v1-quirks-'));
  for (const [quirk, { xml }] of Object.entries(QUIRKS)) {
    await mkdir(join(dir, quirk));
    await writeFile(join(dir, quirk, `${quirk}.xml`), xml.join('\n'));
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('v1 wrapper quirks that v1 accepts', () => {
  it.each(Object.keys(QUIRKS) as (keyof typeof QUIRKS)[])(
    '%s: loads with a warning naming the file, line and quirk; strict refuses with the same text',
    async (quirk) => {
      const file = fileOf(quirk);
      const { line, message } = QUIRKS[quirk];
      const warnings: ToolLoadWarning[] = [];
      const tool = await loadToolFile(file, { onWarning: (w) => warnings.push(w) });
      expect(tool.source).toBe(file);
      expect(warnings[0]).toEqual({ file, line, quirk, message: `${file}: ${message}` });
      const refused = await loadToolFile(file, { strict: true }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toMatchObject({ code: 'BAD_MANIFEST', message: warnings[0]?.message, details: { file, line, quirk } });
    },
  );

  it('reads each quirk as v1 does', async () => {
    const choice = await loadToolFile(fileOf('duplicate-choice'));
    expect(choice.inputs[1]).toMatchObject({
      default: 'slow',
      choices: [
        { value: 'fast', label: 'Fast' },
        { value: 'slow', label: 'Slow' },
      ],
    });
    expect((await loadToolFile(fileOf('empty-test-file'))).tests).toEqual([{ params: {}, inputs: { i: 'in.tif' }, outputs: { o: {} } }]);
    const warnings: ToolLoadWarning[] = [];
    const bounded = await loadToolFile(fileOf('decimal-integer-bound'), { onWarning: (w) => warnings.push(w) });
    expect(bounded.inputs[1]).toMatchObject({ type: 'int', min: 0, max: 10, default: 1 });
    expect(warnings.map((w) => w.message.slice(w.file.length))).toEqual([
      `: ${QUIRKS['decimal-integer-bound'].message}`,
      `: line 5: <param>: integer parameter 'n': max="10.0" is a decimal number; read as 10 (v1 quirk: decimal bound on an integer parameter)`,
    ]);
  });

  it('rounds a non-integral bound of an integer parameter inwards, which allows the same integers', async () => {
    const file = join(dir, 'inward.xml');
    await writeFile(file, QUIRKS['decimal-integer-bound'].xml.join('\n').replace('min="0.0" max="10.0"', 'min="0.5" max="9.5"'));
    const warnings: ToolLoadWarning[] = [];
    const tool = await loadToolFile(file, { onWarning: (w) => warnings.push(w) });
    expect(tool.inputs[1]).toMatchObject({ min: 1, max: 9 });
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringContaining(`min="0.5" is a decimal number; read as 1, the smallest integer it allows`),
      expect.stringContaining(`max="9.5" is a decimal number; read as 9, the largest integer it allows`),
    ]);
  });

  it('still refuses a decimal default of an integer parameter (no integer reads as it)', async () => {
    const file = join(dir, 'default.xml');
    await writeFile(file, QUIRKS['decimal-integer-bound'].xml.join('\n').replace('value="1"', 'value="1.5"'));
    await expect(loadToolFile(file)).rejects.toThrow(`${file}: line 5: <param>: parameter 'n': value="1.5" is not an integer`);
  });

  it('a tool folder lists the wrappers with quirks and keeps their warnings', async () => {
    const source = new DirectoryToolSource({ folders: Object.keys(QUIRKS).map((quirk) => join(dir, quirk)) });
    expect((await source.listTools()).map((t) => t.id)).toEqual(['dupchoice', 'emptyfile', 'intbound']);
    expect((await source.warnings()).map((w) => [w.quirk, w.line])).toEqual([
      ['duplicate-choice', 8],
      ['empty-test-file', 11],
      ['decimal-integer-bound', 5],
      ['decimal-integer-bound', 5],
    ]);
    expect(await source.problems()).toEqual([]);
  });
});
