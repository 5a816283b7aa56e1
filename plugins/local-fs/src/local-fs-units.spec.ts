import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTempFileName, sweepTempFiles, tempPathFor, writeFileAtomicStamped } from './atomic-write.js';
import { HOST_TAG } from './owner-stamp.js';
import { assertValidName, resolveInside, toLocalPath } from './path-safety.js';
import { splitExtension, UniqueFileNames } from './unique-file-names.js';
import { toV1Date } from './v1-date.js';
import { parseItemDoc, stringifyV1 } from './v1-documents.js';

describe('unique item file names', () => {
  it('splits extensions as os.path.splitext', () => {
    expect(splitExtension('a.ome.tif')).toEqual({ stem: 'a.ome', extension: '.tif' });
    expect(splitExtension('.hidden')).toEqual({ stem: '.hidden', extension: '' });
    expect(splitExtension('noext')).toEqual({ stem: 'noext', extension: '' });
  });

  it('suffixes taken names and stems, case-insensitively, never the dataset file', () => {
    const names = new UniqueFileNames(['a.tif', 'a.md.json', 'B.md.json', 'raw_dataset.md.json']);
    expect(names.allocate('a.tif').name).toBe('a_1.tif');
    expect(names.allocate('a.tif')).toEqual({ name: 'a_2.tif', stem: 'a_2', metadataFile: 'a_2.md.json' });
    expect(names.allocate('a.png')).toEqual({ name: 'a_3.png', stem: 'a_3', metadataFile: 'a_3.md.json' });
    expect(names.allocate('b.tif').name).toBe('b_1.tif');
    expect(names.allocate('raw_dataset.md').metadataFile).toBe('raw_dataset_1.md.json');
    expect(names.allocate('c.tif').name).toBe('c.tif');
    expect(names.allocate('x.ome.tif').metadataFile).toBe('x.ome.md.json');
    expect(names.allocate('x.ome.tif')).toEqual({ name: 'x_1.ome.tif', stem: 'x_1.ome', metadataFile: 'x_1.ome.md.json' });
    expect(names.allocate('noext')).toEqual({ name: 'noext', stem: 'noext', metadataFile: 'noext.md.json' });
    expect(names.allocate('noext').name).toBe('noext_1');
  });
});

describe('path safety', () => {
  it('accepts file URIs and plain paths, rejects other schemes', () => {
    expect(toLocalPath('file:///tmp/a%20b')).toBe(path.resolve('/tmp/a b'));
    expect(toLocalPath('/tmp/x')).toBe(path.resolve('/tmp/x'));
    expect(toLocalPath('rel')).toBe(path.resolve('rel'));
    expect(() => toLocalPath('omero://host/1')).toThrow(expect.objectContaining({ code: 'INVALID' }));
  });

  it('rejects unsafe names and urls that leave the experiment', () => {
    for (const bad of ['', ' ', 'a/b', 'a\\b', '..', '.', 'a..b', 'x\u0000'])
      expect(() => assertValidName(bad, 'item')).toThrow(expect.objectContaining({ code: 'INVALID' }));
    expect(() => assertValidName('ok name.tif', 'item')).not.toThrow();
    expect(resolveInside('/e', '/e/data', '../copied/x.md.json', 'f')).toBe(path.resolve('/e/copied/x.md.json'));
    expect(() => resolveInside('/e', '/e/data', '../../etc/passwd', 'f.md.json')).toThrow(
      expect.objectContaining({ code: 'PATH_ESCAPE', message: expect.stringContaining('f.md.json') }),
    );
  });
});

describe('v1 documents and dates', () => {
  it('writes JSON as Python json.dump(indent=4) with ensure_ascii', () => {
    expect(stringifyV1({ a: { b: [1, 'µm'] }, c: {} })).toBe(
      '{\n    "a": {\n        "b": [\n            1,\n            "\\u00b5m"\n        ]\n    },\n    "c": {}\n}',
    );
    expect(JSON.parse(stringifyV1({ s: 'µm é' }))).toEqual({ s: 'µm é' });
  });

  it('rejects item files without their required fields as CORRUPT, naming the file', () => {
    expect(() => parseItemDoc({ uuid: 'x' }, '/e/data/a.md.json')).toThrow(
      expect.objectContaining({ code: 'CORRUPT', message: expect.stringContaining('/e/data/a.md.json') }),
    );
    expect(parseItemDoc({ uuid: 'x', common: { url: 'a.tif' } }, 'f')).toMatchObject({
      origin: { type: 'raw' },
      common: { name: 'a.tif', url: 'a.tif', format: '' },
    });
  });

  it('keeps dates to the day', () => {
    expect(toV1Date('2024-05-06T23:59:00Z', 'x')).toBe('2024-05-06');
    expect(toV1Date(undefined, 'x')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(() => toV1Date('yesterday', 'x')).toThrow(expect.objectContaining({ code: 'INVALID' }));
  });
});

describe('atomic writes', () => {
  it('replaces files whole and sweeps temporary leftovers', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'local-fs-atomic-'));
    try {
      const file = path.join(dir, 'a.md.json');
      await writeFileAtomicStamped(file, 'one');
      await writeFileAtomicStamped(file, 'two');
      expect(await readFile(file, 'utf8')).toBe('two');
      const mine = tempPathFor(file);
      expect(isTempFileName(path.basename(mine))).toBe(true);
      await writeFile(mine, 'being written by this live process');
      const deadPid = spawnSync('true').pid as number;
      await writeFile(path.join(dir, `.a.md.json.0123456789ab@${HOST_TAG}.${deadPid}.tmp`), 'half, its writer is dead');
      await writeFile(path.join(dir, '.a.md.json.0123456789ac@00000000.1.tmp'), 'another host: kept while recent');
      await writeFile(path.join(dir, '.a.md.json.0123456789ad.tmp'), 'an older version: kept while recent');
      const old = path.join(dir, '.a.md.json.0123456789ae.tmp');
      await writeFile(old, 'an older version, long unchanged');
      await utimes(old, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
      await writeFile(path.join(dir, 'user.tmp'), 'not ours');
      expect(await sweepTempFiles(dir, 60_000)).toBe(2);
      expect((await readdir(dir)).sort()).toEqual(
        ['.a.md.json.0123456789ac@00000000.1.tmp', '.a.md.json.0123456789ad.tmp', path.basename(mine), 'a.md.json', 'user.tmp'].sort(),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('temporary names', () => {
  it('stay within 255 bytes for the longest item names, and are still recognized', () => {
    const name = `${'é'.repeat(117)}x.md.json`;
    const temp = path.basename(tempPathFor(path.join('/x', name)));
    expect(Buffer.byteLength(temp)).toBeLessThanOrEqual(255);
    expect(isTempFileName(temp)).toBe(true);
    expect(temp.startsWith(`.${'é'.repeat(10)}`)).toBe(true);
  });
});
