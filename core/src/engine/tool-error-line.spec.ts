import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastErrorLine, logSize } from './tool-error-line.js';

describe('lastErrorLine', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'error-line-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("takes the last error line of the job's own part of a shared log, else its last line", async () => {
    const log = join(dir, 'worker.stderr.log');
    await writeFile(log, 'error: the previous job failed\n');
    const from = await logSize(log);
    await appendFile(log, 'reading a.tif\nError: no mask in a.tif\nwarning: slow\n\n');
    expect(await lastErrorLine(log, from)).toBe('Error: no mask in a.tif');
    const next = await logSize(log);
    await appendFile(log, 'Traceback (most recent call last):\n  File "t.py", line 3\nValueError: bad axes ZCYX\n');
    expect(await lastErrorLine(log, next)).toBe('ValueError: bad axes ZCYX');
    const plain = await logSize(log);
    await appendFile(log, 'something went wrong\r\nstill wrong\u0007 here\n');
    expect(await lastErrorLine(log, plain)).toBe('still wrong  here');
    expect(await lastErrorLine(log, await logSize(log))).toBeUndefined();
  });

  it('reads only the tail, cuts long lines, and says nothing for a missing log', async () => {
    const log = join(dir, 'long.log');
    await writeFile(log, `${'x'.repeat(100_000)}\nerror: ${'y'.repeat(1000)}\n`);
    const line = await lastErrorLine(log, 0);
    expect(line?.length).toBe(300);
    expect(line?.startsWith('error: yyy')).toBe(true);
    expect(await lastErrorLine(join(dir, 'absent.log'), 0)).toBeUndefined();
    expect(await logSize(join(dir, 'absent.log'))).toBe(0);
  });
});
