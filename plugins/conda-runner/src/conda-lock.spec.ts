import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { lockedPackageOf, lockLines, normalizeChannel, readLock } from './conda-lock.js';

describe('conda lock', () => {
  it('normalizes the channel forms conda writes', () => {
    expect(normalizeChannel('https://conda.anaconda.org/conda-forge/linux-64', 'linux-64')).toBe('https://conda.anaconda.org/conda-forge');
    expect(normalizeChannel('https://conda.anaconda.org/conda-forge/', 'noarch')).toBe('https://conda.anaconda.org/conda-forge');
    expect(normalizeChannel('conda-forge', 'noarch')).toBe('conda-forge');
  });

  it('reads a record written by conda (channel from the url when absent)', () => {
    const record = {
      name: 'zlib',
      version: '1.3.1',
      build: 'h4ab18f5_1',
      url: 'https://conda.anaconda.org/conda-forge/linux-64/zlib-1.3.1-h4ab18f5_1.conda',
      subdir: 'linux-64',
      md5: 'abc',
    };
    expect(lockedPackageOf(record, 'f')).toEqual({ ...record, channel: 'https://conda.anaconda.org/conda-forge' });
    expect(() => lockedPackageOf({ name: 'x' }, '/p/conda-meta/x.json')).toThrow('/p/conda-meta/x.json lacks name, version or build');
  });

  it('lists a prefix sorted by name and names a folder that is not an environment', async () => {
    const prefix = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-lock-'));
    try {
      await mkdir(path.join(prefix, 'conda-meta'));
      await writeFile(path.join(prefix, 'conda-meta', 'zz-1-0.json'), JSON.stringify({ name: 'zz', version: '1', build: '0', channel: 'c' }));
      await writeFile(path.join(prefix, 'conda-meta', 'aa-2-1.json'), JSON.stringify({ name: 'aa', version: '2', build: '1', channel: 'c' }));
      await writeFile(path.join(prefix, 'conda-meta', 'history'), '');
      expect(lockLines(await readLock(prefix))).toEqual(['aa=2=1', 'zz=1=0']);
      await expect(readLock(path.join(prefix, 'conda-meta'))).rejects.toThrow(RunnerError);
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  });
});
