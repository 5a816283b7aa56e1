import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debianPython, partRequired, REQUIRE_PARTS_ENV, SKIP_LOG_ENV, skipWithout, WITHOUT_PARTS_ENV } from './system-part.js';

describe('skipWithout', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bioimageit-skip-'));
    process.env[SKIP_LOG_ENV] = join(dir, 'skips.jsonl');
    delete process.env[REQUIRE_PARTS_ENV];
    delete process.env[WITHOUT_PARTS_ENV];
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });
  const logged = () =>
    readFileSync(join(dir, 'skips.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);

  it('runs a suite whose part is there, and logs nothing', () => {
    expect(skipWithout('docker', undefined, join(process.cwd(), 'x.spec.ts'))).toBe(false);
    expect(() => readFileSync(join(dir, 'skips.jsonl'))).toThrow();
  });

  it('skips without the part, says why on stderr and appends the skip to the log with the file relative to the working directory', () => {
    expect(skipWithout('slurm', 'sbatch not found on PATH', `file://${join(process.cwd(), 'plugins/x/a.spec.ts')}`)).toBe(true);
    expect(skipWithout('python', 'no python3', join(process.cwd(), 'b.spec.ts'))).toBe(true);
    expect(logged()).toEqual([
      { part: 'slurm', why: 'sbatch not found on PATH', suite: 'plugins/x/a.spec.ts' },
      { part: 'python', why: 'no python3', suite: 'b.spec.ts' },
    ]);
    expect(console.warn).toHaveBeenCalledWith(
      expect.stringMatching(/plugins\/x\/a\.spec\.ts: needs 'slurm': sbatch not found on PATH \(npm run setup:system -- slurm\)/),
    );
  });

  it('fails the file instead when the run requires the part, naming the part and the reason', () => {
    process.env[REQUIRE_PARTS_ENV] = 'python, docker';
    expect(() => skipWithout('docker', 'dockerd not found', 'c.spec.ts')).toThrow(
      /c\.spec\.ts: this run requires the system part 'docker' \(BIOIMAGEIT_REQUIRE_PARTS\), but dockerd not found/,
    );
    expect(skipWithout('slurm', 'no sbatch', 'c.spec.ts')).toBe(true);
    process.env[REQUIRE_PARTS_ENV] = 'all';
    expect(() => skipWithout('slurm', 'no sbatch', 'c.spec.ts')).toThrow(/'slurm'/);
  });

  it('leaves out a part named in BIOIMAGEIT_WITHOUT_PARTS even where it is installed or required', () => {
    process.env[REQUIRE_PARTS_ENV] = 'all';
    process.env[WITHOUT_PARTS_ENV] = 'docker,chromium';
    expect(partRequired('docker')).toBe(false);
    expect(partRequired('python')).toBe(true);
    expect(skipWithout('docker', undefined, 'd.spec.ts')).toBe(true);
    expect(skipWithout('python', undefined, 'd.spec.ts')).toBe(false);
    expect(logged()).toEqual([{ part: 'docker', why: 'left out of this run (BIOIMAGEIT_WITHOUT_PARTS)', suite: 'd.spec.ts' }]);
  });
});

describe('debianPython', () => {
  it('says which module it cannot import', () => {
    const found = debianPython(['no_such_module_bioimageit']);
    expect(found.python).toBeUndefined();
    expect(found.why).toMatch(/no python3 on the default PATH|cannot import no_such_module_bioimageit/);
  });
});
