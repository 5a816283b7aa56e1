import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushFiles } from './flush-files.js';
import { createSmallFiles, SmallFileError, type NewSmallFile } from './small-file-writer.js';

describe('small item files: created exclusively (on a writer thread for a large batch) and flushed at once', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'local-fs-small-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const batch = (count: number, prefix = 'f'): NewSmallFile[] =>
    Array.from({ length: count }, (_, i): NewSmallFile => [path.join(dir, `${prefix}${i}.md.json`), `{"n": ${i}, "é": "\\u00e9"}`]);

  for (const count of [3, 600]) {
    it(`writes every file whole and reports the names already taken, leaving those alone (${count} files)`, async () => {
      const files = batch(count);
      await writeFile(files[1]![0], 'an orphan');
      const { existing } = await createSmallFiles(files);
      expect(existing).toEqual([1]);
      expect(await readdir(dir)).toHaveLength(count);
      expect(await readFile(files[1]![0], 'utf8')).toBe('an orphan');
      expect(await readFile(files[count - 1]![0], 'utf8')).toBe(files[count - 1]![1]);
    });

    it(`rejects naming the first file it cannot create; the ones before it exist (${count} files)`, async () => {
      const files = batch(count);
      const broken = Math.floor(count / 2);
      files[broken] = [path.join(dir, 'no-such-folder', 'x.md.json'), '{}'];
      const error = (await createSmallFiles(files).catch((e: unknown) => e)) as SmallFileError;
      expect(error).toBeInstanceOf(SmallFileError);
      expect([error.path, error.code]).toEqual([files[broken]![0], 'ENOENT']);
      expect(await readdir(dir)).toHaveLength(broken);
    });
  }

  it('a process that wrote on the thread exits by itself once done (the idle thread keeps nothing alive)', () => {
    const module = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'small-file-writer.ts')).href;
    const script = `const { createSmallFiles } = await import(${JSON.stringify(module)});
      const files = Array.from({ length: 300 }, (_, i) => [${JSON.stringify(dir)} + '/c' + i, 'x']);
      await createSmallFiles(files);
      await createSmallFiles(files.map(([f, t]) => [f + '.again', t]));
      console.log('done');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect([child.signal, child.status, child.stdout.trim()]).toEqual([null, 0, 'done']);
  });

  it('flushes many files with one file-system sync where the platform has it, few (or none) file by file', async () => {
    const many = batch(100);
    await createSmallFiles(many);
    expect(await flushFiles(dir, [], 4)).toBe('none');
    expect(
      await flushFiles(
        dir,
        many.slice(0, 2).map(([file]) => file),
        4,
      ),
    ).toBe('fdatasync');
    expect(
      await flushFiles(
        dir,
        many.map(([file]) => file),
        4,
      ),
    ).toBe(process.platform === 'linux' ? 'syncfs' : 'fdatasync');
    await expect(flushFiles(dir, [path.join(dir, 'gone.md.json')], 4)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
