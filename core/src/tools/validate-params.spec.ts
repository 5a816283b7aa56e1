import { describe, expect, it } from 'vitest';
import { ToolError } from '../errors/area-errors.js';
import { createToolManifest } from './load-tool-manifest.js';
import { validateParams } from './validate-params.js';

const tool = createToolManifest(
  {
    id: 'demo.params',
    name: 'Params',
    version: '1.0.0',
    inputs: [
      { name: 'i', type: 'data' },
      { name: 'n', type: 'int', default: 3, min: 1, max: 10 },
      { name: 'sigma', type: 'float', min: 0 },
      { name: 'ratio', type: 'float', default: 0.5, max: 1 },
      { name: 'name', type: 'string', default: 'x' },
      { name: 'flag', type: 'bool', default: false, trueValue: 'ON', falseValue: 'OFF' },
      {
        name: 'method',
        type: 'choice',
        default: 'otsu',
        choices: [
          { value: 'otsu', label: 'Otsu' },
          { value: 'li', label: 'Li' },
        ],
      },
      { name: 'extra', type: 'string', optional: true },
    ],
    outputs: [],
    command: { argv: ['tool'] },
  },
  '/t/p.tool.json',
);

function problems(given: Record<string, string>): string[] {
  try {
    validateParams(tool, given);
  } catch (error) {
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).code).toBe('BAD_PARAMETER');
    return (error as ToolError).details['problems'] as string[];
  }
  throw new Error('expected BAD_PARAMETER');
}

describe('validateParams', () => {
  it('types the values and applies defaults, leaving unset optional parameters out', () => {
    expect(validateParams(tool, { sigma: '2e-1', n: ' 7 ', flag: 'yes', method: 'li' })).toEqual({
      n: 7,
      sigma: 0.2,
      ratio: 0.5,
      name: 'x',
      flag: true,
      method: 'li',
    });
    expect(validateParams(tool, { sigma: '.5', flag: 'OFF', extra: '' })).toMatchObject({ sigma: 0.5, flag: false, extra: '' });
    expect(validateParams(tool, { sigma: '1', flag: 'ON' })).toMatchObject({ flag: true });
  });

  it('accepts already typed values from pipelines', () => {
    expect(validateParams(tool, { sigma: 1, n: 2, flag: true } as unknown as Record<string, string>)).toMatchObject({ sigma: 1, n: 2, flag: true });
  });

  it('reports every problem at once, naming the parameter', () => {
    expect(problems({ n: '2.5', sigma: 'abc', ratio: '1.5', flag: 'maybe', method: 'max', bogus: '1', i: 'x.tif' })).toEqual([
      "unknown parameter 'bogus' (parameters: n, sigma, ratio, name, flag, method, extra)",
      "'i' is a data input, not a parameter",
      "parameter 'n' must be an integer (got '2.5')",
      "parameter 'sigma' must be a number (got 'abc')",
      "parameter 'ratio' must be at most 1 (got 1.5)",
      "parameter 'flag' must be true or false (got 'maybe')",
      "parameter 'method' must be one of 'otsu', 'li' (got 'max')",
    ]);
  });

  it('requires parameters without default, checks ranges and rejects non-finite numbers', () => {
    expect(problems({})).toEqual(["parameter 'sigma' is required"]);
    expect(problems({ sigma: '-1' })).toEqual(["parameter 'sigma' must be at least 0 (got -1)"]);
    expect(problems({ sigma: '1', n: '11' })).toEqual(["parameter 'n' must be between 1 and 10 (got 11)"]);
    expect(problems({ sigma: 'Infinity' })).toEqual(["parameter 'sigma' must be a number (got 'Infinity')"]);
    expect(problems({ sigma: '1', n: '99999999999999999999' })).toEqual(["parameter 'n' must be an integer (got '99999999999999999999')"]);
  });

  it('puts the tool id and every problem in the message', () => {
    expect(() => validateParams(tool, { sigma: '1', method: 'x' })).toThrow("tool 'demo.params': parameter 'method' must be one of 'otsu', 'li' (got 'x')");
  });
});
