import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Environment variable naming the system parts a test run requires (comma-separated ids, or `all`).
 * A required part that is missing fails its suite instead of skipping it: CI installs every part
 * it can, so a skip there would hide a broken install step.
 */
export const REQUIRE_PARTS_ENV = 'BIOIMAGEIT_REQUIRE_PARTS';

/**
 * Environment variable naming system parts to leave out of this run even where they are installed
 * (comma-separated ids): e.g. the daemon-backed suites in the runs on other Node.js versions.
 */
export const WITHOUT_PARTS_ENV = 'BIOIMAGEIT_WITHOUT_PARTS';

/** Environment variable naming the file each skip is appended to (one JSON line), set by the repository's global test setup. */
export const SKIP_LOG_ENV = 'BIOIMAGEIT_SKIP_LOG';

/** One skipped suite, as appended to the skip log. */
export interface SystemPartSkip {
  /** The part's id, as `npm run setup:system -- <id>` knows it (`docker`, `python`, `fftw`, …). */
  readonly part: string;
  /** Why the part is not usable here, e.g. "dockerd not found on PATH". */
  readonly why: string;
  /** The test file that skipped, relative to the working directory. */
  readonly suite: string;
}

const listed = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');

/** Whether this run requires `part` (see {@link REQUIRE_PARTS_ENV}); a part left out ({@link WITHOUT_PARTS_ENV}) is not required. */
export function partRequired(part: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const wanted = listed(env[REQUIRE_PARTS_ENV]);
  return (wanted.includes('all') || wanted.includes(part)) && !listed(env[WITHOUT_PARTS_ENV]).includes(part);
}

/**
 * Decides, at a spec file's top level, whether the suites that need a system part run here.
 *
 * `missing` is undefined when the part is usable, else the reason it is not. Returns `true` when
 * the caller must skip (`describe.skipIf(skipWithout(...))`): the skip is reported on stderr and
 * appended to the run's skip log, from which the global setup prints one closing summary naming
 * each part and the command that installs it. When the run requires the part
 * ({@link REQUIRE_PARTS_ENV}) a missing part throws instead, so the file fails with the reason. A
 * part named in {@link WITHOUT_PARTS_ENV} is skipped even where it is installed.
 *
 * @param part id of the part (see `scripts/system-parts.json`)
 * @param missing why it is not usable, or undefined when it is
 * @param suite the calling file's `import.meta.url` (or a path)
 */
export function skipWithout(part: string, missing: string | undefined, suite: string): boolean {
  if (listed(process.env[WITHOUT_PARTS_ENV]).includes(part)) missing = `left out of this run (${WITHOUT_PARTS_ENV})`;
  if (missing === undefined) return false;
  const file = suite.startsWith('file:') ? fileURLToPath(suite) : suite;
  const where = relative(process.cwd(), file) || file;
  if (partRequired(part)) {
    throw new Error(`${where}: this run requires the system part '${part}' (${REQUIRE_PARTS_ENV}), but ${missing}`);
  }
  const skip: SystemPartSkip = { part, why: missing, suite: where };
  console.warn(`[skipped] ${where}: needs '${part}': ${missing} (npm run setup:system -- ${part})`);
  const log = process.env[SKIP_LOG_ENV];
  if (log !== undefined && log !== '') appendFileSync(log, `${JSON.stringify(skip)}\n`);
  return true;
}

/** Debian's python3 and whether it imports the given modules (the reference readers of the `python` part). */
export interface DebianPython {
  /** The interpreter's path, when it exists and imports every module. */
  readonly python?: string;
  /** Why it cannot be used, when it cannot. */
  readonly why?: string;
}

/**
 * Finds Debian's python3 (`command -p -v python3`: not a pyenv shim that comes first on PATH) and
 * checks that it imports `modules`. Never throws; the result says why when it is unusable.
 */
export function debianPython(modules: readonly string[] = ['tifffile', 'numpy']): DebianPython {
  const found = spawnSync('sh', ['-c', 'command -p -v python3'], { encoding: 'utf8' });
  const python = found.stdout?.trim() ?? '';
  if (found.status !== 0 || python === '') return { why: 'no python3 on the default PATH (command -p -v python3)' };
  if (modules.length === 0) return { python };
  const check = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  if (check.status === 0) return { python };
  const last = (check.stderr ?? '').trim().split('\n').pop() ?? `exit ${String(check.status)}`;
  return { why: `${python} cannot import ${modules.join(', ')} (${last})` };
}
