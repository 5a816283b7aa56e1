import { describe, expect, it } from 'vitest';
import { ToolError } from '@bioimageit/core';
import { parseEnvironmentFile } from './environment-file.js';

describe('parseEnvironmentFile', () => {
  it('reads name, channels, dependencies and nested pip specs, ignoring comments and quotes', () => {
    const text = [
      '# cellpose environment',
      'name: cellpose',
      'channels:',
      '  - conda-forge  # first',
      "  - 'bioconda'",
      'dependencies:',
      '  - python=3.11',
      '  - "numpy >=1.24"',
      '  - conda-forge::tifffile',
      '  - pip',
      '  - pip:',
      '    - cellpose==3.0.1',
      '    - "git+https://example.org/x.git#egg=x"',
      'prefix: /somewhere/else',
      '',
    ].join('\n');
    expect(parseEnvironmentFile(text, 'env.yml')).toEqual({
      name: 'cellpose',
      channels: ['conda-forge', 'bioconda'],
      dependencies: ['python=3.11', 'numpy >=1.24', 'conda-forge::tifffile', 'pip'],
      pip: ['cellpose==3.0.1', 'git+https://example.org/x.git#egg=x'],
      variables: {},
    });
  });

  it('reads flow lists', () => {
    expect(parseEnvironmentFile('channels: [conda-forge, defaults]\ndependencies: [python, "scipy<2"]\n', 'e.yml')).toEqual({
      channels: ['conda-forge', 'defaults'],
      dependencies: ['python', 'scipy<2'],
      pip: [],
      variables: {},
    });
  });

  it('reads variables as a block or flow mapping and skips what other keys nest', () => {
    const block = parseEnvironmentFile(
      'dependencies:\n  - x\nvariables:\n  OMP_NUM_THREADS: 1\n  MODEL_DIR: "/data/models"\nextra:\n  anything: [1, 2]\n',
      'e.yml',
    );
    expect(block.variables).toEqual({ OMP_NUM_THREADS: '1', MODEL_DIR: '/data/models' });
    expect(parseEnvironmentFile('variables: {A: 1, B: two}\n', 'e.yml').variables).toEqual({ A: '1', B: 'two' });
  });

  it('names the file and line of what it cannot read', () => {
    const error = (() => {
      try {
        parseEnvironmentFile('name: x\ndependencies:\n  just text\n', '/tools/env.yml');
      } catch (e) {
        return e;
      }
      return undefined;
    })() as ToolError;
    expect(error).toBeInstanceOf(ToolError);
    expect(error.message).toBe("/tools/env.yml:3: expected a list item ('- ...') but found 'just text'");
  });
});
