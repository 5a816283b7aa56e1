import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSources } from './source-reader.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-sources-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('readSources', () => {
  // 5 files are read on the caller's thread, 90 on reader threads: the same answers either way.
  for (const count of [5, 90]) {
    it(`gives each path, in order, its bytes and sha256, or only its size when over the limit, or its error (${count} files)`, async () => {
      const paths: string[] = [];
      const contents: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        const bytes = new Uint8Array(i === 2 ? 5000 : i % 7).map((_, k) => (k * 31 + i) & 255);
        const path = join(dir, `${count}-${i}.bin`);
        if (i !== 3) await writeFile(path, bytes);
        paths.push(path);
        contents.push(bytes);
      }
      const reads = await readSources(paths, 1024);
      expect(reads).toHaveLength(count);
      reads.forEach((read, i) => {
        if (i === 3) {
          expect(read).toMatchObject({ error: { code: 'ENOENT', message: expect.stringContaining(paths[3] as string) } });
        } else if (i === 2) {
          expect(read).toEqual({ size: 5000 });
        } else {
          const expected = contents[i] as Uint8Array;
          expect(read).toEqual({ size: expected.length, bytes: expected, sha256: sha(expected) });
        }
      });
    });
  }

  it('reads batch after batch on the same threads, and a process that used them exits by itself', () => {
    const module = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'source-reader.ts')).href;
    const script = `const { readSources } = await import(${JSON.stringify(module)});
      const paths = Array.from({ length: 40 }, (_, i) => ${JSON.stringify(dir)} + '/90-' + ((i % 80) + 4) + '.bin');
      let ok = 0;
      for (let round = 0; round < 3; round++) ok += (await readSources(paths, 1024)).filter((r) => 'sha256' in r).length;
      console.log(ok);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect([child.signal, child.status, child.stdout.trim()]).toEqual([null, 0, '120']);
  });
});
