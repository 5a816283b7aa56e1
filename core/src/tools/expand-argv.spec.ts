import { describe, expect, it } from 'vitest';
import { createToolManifest } from './load-tool-manifest.js';
import { expandArgv } from './expand-argv.js';
import { validateParams } from './validate-params.js';

const tool = createToolManifest(
  {
    id: 'demo.echo',
    name: 'Echo',
    version: '1.0.0',
    inputs: [
      { name: 'i', type: 'data', format: 'imagetiff' },
      { name: 'mask', type: 'data', optional: true },
      { name: 'text', type: 'string' },
      { name: 'sigma', type: 'float', default: 1.5 },
      { name: 'verbose', type: 'bool', default: false, trueValue: '-v', falseValue: '-q' },
      { name: 'level', type: 'int', optional: true },
    ],
    outputs: [{ name: 'o', format: 'imagetiff' }],
    command: {
      argv: [
        '{env.python}',
        '{tool.dir}/run.py',
        '--in={inputs.i}',
        '{params.text}',
        '{outputs.o}',
        '--sigma={params.sigma}',
        '{params.verbose}',
        '--mask={inputs.mask}',
        '--level={params.level}',
        "print({'a': 1})",
      ],
    },
  },
  '/tools/echo/echo.tool.json',
);

const bindings = (text: string, extra: Partial<Parameters<typeof expandArgv>[1]> = {}): Parameters<typeof expandArgv>[1] => ({
  inputs: { i: '/data/in put.tif' },
  outputs: { o: '/stage/o_in.tif' },
  params: validateParams(tool, { text }),
  env: { python: '/usr/bin/python3' },
  ...extra,
});

describe('expandArgv', () => {
  it.each(['x; rm -rf ~', '$(id)', 'a b', '*', '`id`', "'; echo pwned '", '{env.python}', '-', ''])(
    'passes the parameter value %j as exactly one literal argument',
    (value) => {
      const argv = expandArgv(tool, bindings(value));
      expect(argv).toHaveLength(8);
      expect(argv[3]).toBe(value);
    },
  );

  it('fills every placeholder kind, drops elements of unset optional inputs, keeps other braces literal', () => {
    expect(expandArgv(tool, bindings('hi'))).toEqual([
      '/usr/bin/python3',
      '/tools/echo/run.py',
      '--in=/data/in put.tif',
      'hi',
      '/stage/o_in.tif',
      '--sigma=1.5',
      '-q',
      "print({'a': 1})",
    ]);
    const argv = expandArgv(
      tool,
      bindings('hi', {
        inputs: { i: 'a', mask: 'm.tif' },
        toolDir: '/elsewhere',
        params: { ...validateParams(tool, { text: 'hi', verbose: 'true', level: '3' }) },
      }),
    );
    expect(argv).toEqual([
      '/usr/bin/python3',
      '/elsewhere/run.py',
      '--in=a',
      'hi',
      '/stage/o_in.tif',
      '--sigma=1.5',
      '-v',
      '--mask=m.tif',
      '--level=3',
      "print({'a': 1})",
    ]);
  });

  it('names the placeholder of a missing binding (BAD_PARAMETER)', () => {
    expect(() => expandArgv(tool, bindings('x', { env: {} }))).toThrow(
      "tool 'demo.echo' (/tools/echo/echo.tool.json): argv[0] needs {env.python}, but 'python' is not set in the configuration's env",
    );
    expect(() => expandArgv(tool, bindings('x', { outputs: {} }))).toThrow(/argv\[4\] needs \{outputs\.o\}/);
    expect(() => expandArgv(tool, bindings('x', { inputs: {} }))).toThrow(/argv\[2\] needs \{inputs\.i\}, but no file was given/);
    expect(() => expandArgv(tool, { ...bindings('x'), params: {} })).toThrow(/argv\[3\] needs \{params\.text\}/);
    expect(() => expandArgv(tool, bindings('x', { env: Object.create({ python: 'inherited' }) as Record<string, string> }))).toThrow(
      expect.objectContaining({ code: 'BAD_PARAMETER', details: expect.objectContaining({ placeholder: '{env.python}' }) }),
    );
  });

  it('refuses NUL characters, which cannot be passed to a process', () => {
    expect(() => expandArgv(tool, bindings('a\0b'))).toThrow(/argv\[3\] would contain a NUL character/);
  });
});
