import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { activatedVariables } from './activation.js';
import { commandUnsatisfiable } from './command-environment-creator.js';
import { flavourOf, runArgv } from './conda-command.js';
import { specName } from './conda-meta-writer.js';
import { installOrder } from './embedded-environment-creator.js';
import { stderrProgress } from './environment-progress.js';
import { noarchPythonTarget } from './package-paths.js';
import type { SolvedRecord } from './rattler-solver.js';
import { unsatisfiablePackage } from './rattler-solver.js';
import { detectVirtualPackages } from './virtual-packages.js';

const record = (name: string, depends: string[] = []): SolvedRecord => ({
  name,
  version: '1',
  build: '0',
  buildNumber: 0,
  channel: 'c',
  subdir: 'noarch',
  url: `u/${name}`,
  filename: `${name}-1-0.tar.bz2`,
  depends,
});

describe('solver and command messages', () => {
  it('finds the unsatisfiable package in rattler messages', () => {
    expect(unsatisfiablePackage('Cannot solve the request because of: No candidates were found for nonexist *.\n')).toBe('nonexist');
    expect(
      unsatisfiablePackage(
        'Cannot solve the request because of: biit-tool * cannot be installed because there are no viable options:\n└─ biit-tool 1.0.0 would require\n   └─ biit-lib >=1.0, for which no candidates were found.\n',
      ),
    ).toBe('biit-lib >=1.0');
    expect(unsatisfiablePackage('something else')).toBeUndefined();
  });

  it('finds it in micromamba, mamba and conda output', () => {
    expect(
      commandUnsatisfiable('error    libmamba Could not solve for environment specs\n    └─ nope does not exist (perhaps a typo or a missing channel).'),
    ).toBe('nope');
    expect(commandUnsatisfiable('Encountered problems while solving:\n  - nothing provides requested nope 2.0\n')).toBe('nope 2.0');
    expect(commandUnsatisfiable('PackagesNotFoundError: The following packages are not available from current channels:\n\n  - nope\n')).toBe('nope');
  });

  it('tells conda from micromamba and builds run argv without a shell', () => {
    expect(flavourOf('/usr/bin/micromamba', '1.5.8')).toBe('micromamba');
    expect(flavourOf('/opt/conda/bin/mamba', 'mamba 1.5.8\nconda 24.1.2')).toBe('conda');
    expect(flavourOf('/opt/bin/mamba', '2.0.5')).toBe('micromamba');
    expect(runArgv({ path: '/c', flavour: 'conda', version: 'conda 24' }, '/p', ['a b', '$x'])).toEqual([
      '/c',
      'run',
      '--no-capture-output',
      '-p',
      '/p',
      'a b',
      '$x',
    ]);
  });
});

describe('installation helpers', () => {
  it('orders dependencies before dependents', () => {
    const order = installOrder([record('app', ['lib >=1', 'python 3.11.*']), record('python', ['libc']), record('lib', ['libc']), record('libc')]);
    expect(order.map((r) => r.name)).toEqual(['libc', 'lib', 'python', 'app']);
  });

  it('reads package names from specs', () => {
    expect(['numpy >=1.2', 'conda-forge::scipy=1.11', 'python=3.11', 'libc'].map(specName)).toEqual(['numpy', 'scipy', 'python', 'libc']);
  });

  it('maps noarch python files into the environment', () => {
    expect(noarchPythonTarget('site-packages/pkg/__init__.py', '3.11', 'linux')).toBe('lib/python3.11/site-packages/pkg/__init__.py');
    expect(noarchPythonTarget('python-scripts/tool', '3.11', 'linux')).toBe('bin/tool');
    expect(noarchPythonTarget('share/x', '3.11', 'linux')).toBe('share/x');
  });

  it('describes this machine with virtual packages', () => {
    expect(detectVirtualPackages('linux', '2.36', 'x64').map((v) => `${v.name}=${v.name === '__linux' ? 'K' : v.version}=${v.build}`)).toEqual([
      '__unix=0=0',
      '__archspec=1=x86_64',
      '__linux=K=0',
      '__glibc=2.36=0',
    ]);
    expect(detectVirtualPackages('linux', '2.36').find((v) => v.name === '__glibc')?.version).toBe('2.36');
  });
});

describe('activation', () => {
  it('sets the conda variables, applies activate.d exports, and names a failing script', async () => {
    const prefix = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-activate-'));
    try {
      const base = { PATH: '/usr/bin:/bin', HOME: '/h', LANG: 'C.UTF-8' };
      expect(await activatedVariables(prefix, base)).toEqual({
        PATH: `${prefix}/bin:/usr/bin:/bin`,
        CONDA_PREFIX: prefix,
        CONDA_DEFAULT_ENV: prefix,
        CONDA_SHLVL: '1',
        CONDA_PROMPT_MODIFIER: `(${prefix}) `,
      });
      await mkdir(path.join(prefix, 'etc', 'conda', 'activate.d'), { recursive: true });
      await writeFile(
        path.join(prefix, 'etc', 'conda', 'activate.d', 'a.sh'),
        'export TOOL_HOME="$CONDA_PREFIX/share"\nexport PATH="$CONDA_PREFIX/extra:$PATH"\n',
      );
      await writeFile(path.join(prefix, 'etc', 'conda', 'activate.d', 'b.sh'), 'export SEEN_A="$TOOL_HOME"\n');
      const vars = await activatedVariables(prefix, base);
      expect(vars).toMatchObject({ TOOL_HOME: `${prefix}/share`, SEEN_A: `${prefix}/share`, PATH: `${prefix}/extra:${prefix}/bin:/usr/bin:/bin` });
      expect(vars['HOME']).toBeUndefined();
      await writeFile(path.join(prefix, 'etc', 'conda', 'activate.d', 'c.sh'), 'echo broken >&2; false\n');
      const error = await activatedVariables(prefix, base).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunnerError);
      expect((error as RunnerError).message).toContain('c.sh');
      expect((error as RunnerError).message).toContain('broken');
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  });
});

describe('stderrProgress', () => {
  it('prints one line per phase (and the last count) when not on a terminal', () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const show = stderrProgress(stream);
    show({ hash: 'abcdef0123', phase: 'solving', message: 'solving [x]' });
    for (let i = 1; i <= 3; i++) show({ hash: 'abcdef0123', phase: 'downloading', message: `got ${i}`, done: i, total: 3 });
    show({ hash: 'abcdef0123', phase: 'ready', message: 'ready' });
    expect(lines).toEqual([
      'conda env abcdef01: solving [x]\n',
      'conda env abcdef01: got 1 (1/3)\n',
      'conda env abcdef01: got 3 (3/3)\n',
      'conda env abcdef01: ready\n',
    ]);
  });

  it('redraws one line on a terminal and ends it when the environment is ready', () => {
    const writes: string[] = [];
    const show = stderrProgress({ isTTY: true, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream);
    show({ hash: 'abcdef0123', phase: 'downloading', message: 'got 1', done: 1, total: 2 });
    show({ hash: 'abcdef0123', phase: 'ready', message: 'ready' });
    expect(writes).toEqual(['\r\x1b[2Kconda env abcdef01: got 1 (1/2)', '\r\x1b[2Kconda env abcdef01: ready\n']);
  });
});
