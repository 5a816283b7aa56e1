import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTiff } from '@bioimageit/core';
import { cli, tempDir } from './cli-harness.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('biit-tagkeys-');
});
afterEach(async () => {
  await dir.cleanup();
});

describe('bioimageit tag set refuses reserved and malformed keys', () => {
  it('exits 1 naming __proto__ and changes neither items nor tag keys', async () => {
    const ws = join(dir.path, 'ws');
    expect((await cli(dir.path, ['init', ws])).code).toBe(0);
    expect((await cli(ws, ['experiment', 'create', 'exp'])).code).toBe(0);
    const file = join(dir.path, 'a.tif');
    await writeFile(file, encodeTiff({ data: new Uint8Array(16), shape: [4, 4], dtype: 'uint8', axes: 'YX' }));
    expect((await cli(ws, ['import', file, '-e', 'exp'])).code).toBe(0);
    for (const bad of ['__proto__=x', 'constructor=x', 'prototype=x']) {
      const result = await cli(ws, ['tag', 'set', '-e', 'exp', 'KeyB=b', bad]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(bad.split('=')[0]);
      expect(result.stdout).not.toContain('tagged');
    }
    expect((await cli(ws, ['tag', 'keys', '-e', 'exp', '--json'])).stdout.trim()).toBe('[]');
    const csv = (await cli(ws, ['tag', 'export', '-e', 'exp'])).stdout;
    expect(csv).not.toContain('KeyB');
  });
});
