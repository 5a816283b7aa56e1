/**
 * CLI benchmark (`npm run bench:cli`, issue 19): whole `bioimageit` processes (the built CLI,
 * `node cli/bin/bioimageit.js …`) timed from spawn to exit against `node -e 0` in the same run, on
 * this machine. Targets:
 *   `bioimageit --version`                          <= 2 x node -e 0
 *   `query --count` over 1,000 items                <= 3 x node -e 0
 *   `query --count` over 100,000 items              <= 150 ms
 *   1,000,000 files: `import --reference`           <= 60 s, peak RSS <= 1 GiB
 *                    reopen + `query --count`       <= 300 ms, peak RSS <= 1 GiB
 *
 * Each timed row is the median of `--runs` runs (default 7), interleaved with as many runs of
 * `node -e 0` (one warm-up of each first, not counted), so a busy machine skews both alike. Both
 * are started with a `--require` preload that reports the child's peak RSS (see cli-process.ts);
 * the RSS column is the highest of the runs.
 *
 * The query experiments are BioImageIT v1 experiments written by core's
 * `writeSyntheticV1Experiment` (tags Population, number, Well). The first query of such an
 * experiment builds the item index (`.bioimageit/index.jsonl`): it is timed once as "first open",
 * apart from the reopens (a new process with the index on disk: what a user sees every time after).
 * Each size is queried for all items (`query --count`) and with a where clause over its tags.
 *
 * The 1,000,000 part writes a plate-like folder of tiny TIFFs (see plate-files.ts), imports it by
 * reference through the CLI with folder and name tags, then reopens and queries it. The import runs
 * under a timeout (`--import-timeout`, seconds) and reports progress on stderr; a run that does
 * not finish is printed as such, with the RSS seen, and the queries then run on what it committed.
 *
 * The workspace is what `bioimageit init` writes (its plugins are printed); `--plugins a,b` sets
 * its plugin list instead (e.g. `--plugins @bioimageit/local-fs` leaves thumbnails out).
 * Needs the built CLI (`npm run build`: cli/bundle or cli/dist; `npm run bench:cli` builds first).
 * Prints; never fails on a target.
 *
 * Usage: npm run bench:cli [-- --runs 7] [-- --sizes 1000,100000] [-- --million 1000000 | --skip-million]
 *        [-- --import-timeout 1200] [-- --source DIR] [-- --plugins @bioimageit/local-fs] [-- --keep]
 *   --source DIR   write the million folder into DIR, or reuse it when an earlier run wrote the same
 *                  count there (kept after the run; importing by reference only reads them)
 *   --keep         keep the temp folder (workspace, experiments, files) and print where it is
 */
import { existsSync, statfsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeSyntheticV1Experiment } from '@bioimageit/core/testing';
import { runNode, writeRssPreload, type ProcessResult, type ProcessSample } from './cli-process.js';
import { hasPlateFolder, PLATE_FOLDER_KEYS, PLATE_KEYS, PLATE_NAME_TAGS, PLATE_WHERE, plateWhereHits, writePlateFolder } from './plate-files.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const runs = Math.max(1, Number(flag('--runs') ?? 7));
const sizes = (flag('--sizes') ?? '1000,100000')
  .split(',')
  .filter((s) => s !== '')
  .map(Number);
const million = args.includes('--skip-million') ? 0 : Number(flag('--million') ?? 1_000_000);
const importTimeoutS = Number(flag('--import-timeout') ?? 1200);
const sourceFlag = flag('--source');
const plugins = flag('--plugins')
  ?.split(',')
  .filter((p) => p !== '');
const keep = args.includes('--keep');

const CLI = fileURLToPath(new URL('../../cli/bin/bioimageit.js', import.meta.url));
/** What cli/bin/bioimageit.js runs: the bundle when `npm run build` wrote one, else the tsc build. */
const CLI_BUILDS = ['../../cli/bundle/bioimageit.js', '../../cli/dist/main.js'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
const QUERY_WHERE = 'Population=population1 AND number>500 AND Well in (W2, W4, W6)';
const GIB_KIB = 1024 * 1024;
const root = join(tmpdir(), `biit-bench-cli-${process.pid}`);
const workspace = join(root, 'ws');
const env: NodeJS.ProcessEnv = { ...process.env, BIOIMAGEIT_WORKSPACE: workspace, BIOIMAGEIT_USER: 'bench' };
delete env['BIOIMAGEIT_DEBUG'];

/** One line of the table. `ms` and `baseMs` are medians; `target` is checked by `pass`. */
interface Row {
  readonly measure: string;
  readonly ms?: number;
  readonly baseMs?: number;
  readonly rssKiB?: number;
  readonly rssSampled?: boolean;
  readonly target?: string;
  readonly pass?: boolean;
  readonly note?: string;
}
const rows: Row[] = [];
const parts: { part: string; seconds: number }[] = [];

const log = (line: string) => process.stderr.write(`[bench:cli] ${line}\n`);
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const mib = (kib: number | undefined) => (kib === undefined ? '?' : `${Math.round(kib / 1024)} MiB`);
const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** Runs the CLI once; throws with its stderr when it fails (unless `allowFail`). */
async function cli(
  argv: readonly string[],
  options: { preload?: string; timeoutMs?: number; onTick?: (s: ProcessSample) => void | Promise<void>; allowFail?: boolean } = {},
) {
  const result = await runNode([CLI, ...argv], {
    cwd: workspace,
    env,
    ...(options.preload !== undefined && { preload: options.preload }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.onTick !== undefined && { onTick: options.onTick, tickMs: 15_000 }),
  });
  if (!options.allowFail && (result.code !== 0 || result.timedOut)) {
    throw new Error(`bioimageit ${argv.join(' ')} exited with ${result.code ?? result.signal}: ${result.stderr.trim()}`);
  }
  return result;
}

/** Throws unless the run succeeded and printed a count (`expected`, when given). */
function checkCount(result: ProcessResult, expected: number | undefined, what: string): void {
  const got = Number(result.stdout.trim());
  if (result.code !== 0 || (expected !== undefined && got !== expected)) {
    throw new Error(`${what}: expected ${expected ?? 'a count'}, got exit ${result.code}, '${result.stdout.trim()}' ${result.stderr.trim()}`);
  }
}

/**
 * Median wall time of `runs` runs of the CLI with `argv` and of `node -e 0`, interleaved (one
 * warm-up of each first), and the CLI's highest peak RSS.
 */
async function compare(preload: string, argv: readonly string[], check: (r: ProcessResult) => void = () => undefined) {
  const cliMs: number[] = [];
  const baseMs: number[] = [];
  let rss = 0;
  let rssSampled = false;
  for (let i = -1; i < runs; i++) {
    const base = await runNode(['-e', '0'], { cwd: workspace, env, preload });
    const run = await cli(argv, { preload });
    check(run);
    if (i < 0) continue;
    baseMs.push(base.ms);
    cliMs.push(run.ms);
    rss = Math.max(rss, run.maxRssKiB ?? 0);
    rssSampled ||= run.rssSampled;
  }
  return { ms: median(cliMs), baseMs: median(baseMs), rssKiB: rss, rssSampled };
}

async function timed<T>(part: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  log(`${part} ...`);
  try {
    return await work();
  } finally {
    const s = (performance.now() - start) / 1000;
    parts.push({ part, seconds: s });
    log(`${part}: ${s.toFixed(1)} s`);
  }
}

/** Runs one part of the bench; a part that throws becomes a row saying so, and the others still run. */
async function part(name: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`${name} failed: ${message}`);
    rows.push({ measure: name, note: `failed: ${message.split('\n')[0] ?? ''}` });
  }
}

function ratioRow(measure: string, m: Awaited<ReturnType<typeof compare>>, maxRatio?: number, maxMs?: number, maxRssKiB?: number, note?: string): Row {
  const checks: string[] = [];
  let pass = true;
  if (maxRatio !== undefined) {
    checks.push(`<= ${maxRatio} x`);
    pass &&= m.ms / m.baseMs <= maxRatio;
  }
  if (maxMs !== undefined) {
    checks.push(`<= ${seconds(maxMs)}`);
    pass &&= m.ms <= maxMs;
  }
  if (maxRssKiB !== undefined) {
    checks.push(`RSS <= ${maxRssKiB / GIB_KIB} GiB`);
    pass &&= m.rssKiB <= maxRssKiB;
  }
  return { measure, ...m, ...(checks.length > 0 && { target: checks.join(', '), pass }), ...(note !== undefined && { note }) };
}

/** Items committed so far to the raw dataset of an experiment folder (its item files, counted). */
async function committedItems(experiment: string): Promise<number> {
  try {
    return (await readdir(join(experiment, 'data'))).filter((name) => name.endsWith('.md.json') && name !== 'raw_dataset.md.json').length;
  } catch {
    return 0;
  }
}

async function queryParts(preload: string): Promise<void> {
  for (const size of sizes) {
    const dir = join(workspace, `query${size}`);
    await timed(`write v1 experiment of ${count(size)} items`, () => writeSyntheticV1Experiment(dir, size, `query${size}`));
    const all = ['query', '-e', dir, '--count'];
    const where = [...all, '--where', QUERY_WHERE];
    await timed(`query ${count(size)} items`, async () => {
      const first = await cli(where, { preload });
      checkCount(first, undefined, 'first query');
      const hits = Number(first.stdout.trim());
      rows.push({
        measure: `query --count --where, ${count(size)} items: first open`,
        ms: first.ms,
        ...(first.maxRssKiB !== undefined && { rssKiB: first.maxRssKiB }),
        note: `builds the index from v1 files, once; ${count(hits)} hits`,
      });
      const target = (m: Awaited<ReturnType<typeof compare>>, measure: string) =>
        size === 1000 ? ratioRow(measure, m, 3) : size === 100_000 ? ratioRow(measure, m, undefined, 150) : ratioRow(measure, m);
      rows.push(target(await compare(preload, all, (r) => checkCount(r, size, 'query --count')), `query --count, ${count(size)} items: reopen`));
      rows.push(
        target(await compare(preload, where, (r) => checkCount(r, hits, 'query --count --where')), `query --count --where, ${count(size)} items: reopen`),
      );
    });
  }
}

/** A target of the 1,000,000 part, checked only when that is the count imported. */
const millionTarget = (value: number) => (million === 1_000_000 ? value : undefined);

async function millionPart(preload: string, workspacePlugins: readonly string[]): Promise<void> {
  const source = sourceFlag ?? join(root, `plates-${million}`);
  const experiment = join(workspace, 'million');
  // An item file (4 KiB block) and ~1 KiB of index per item, a thumbnail when on, and the source file.
  const perItemKiB = 4 + 1 + (workspacePlugins.includes('@bioimageit/thumbnails') ? 4 : 0) + (hasPlateFolder(source, million) ? 0 : 4);
  const needKiB = million * perItemKiB;
  const fs = statfsSync(root);
  const freeKiB = (fs.bavail * fs.bsize) / 1024;
  if (freeKiB < needKiB * 1.2 || fs.ffree < million * 3.5) {
    const note = `skipped: needs ~${(needKiB / GIB_KIB).toFixed(1)} GiB and ${count(million * 3)} inodes; ${(freeKiB / GIB_KIB).toFixed(1)} GiB, ${count(fs.ffree)} free`;
    log(note);
    rows.push({ measure: `${count(million)} files`, note });
    return;
  }
  if (hasPlateFolder(source, million)) {
    log(`reusing the ${count(million)} files in ${source}`);
  } else {
    await timed(`write ${count(million)} tiny TIFFs (plate/row/col/pN_RC_fF_tT.tif)`, async () => {
      const start = performance.now();
      writePlateFolder(source, million, (done) => log(`  ${count(done)} files, ${((performance.now() - start) / 1000).toFixed(0)} s`));
    });
  }
  await cli(['experiment', 'create', 'million', '--keys', PLATE_KEYS]);
  const importArgs = ['import', source, '-e', experiment, '--reference', '--recursive', '--folder-keys', PLATE_FOLDER_KEYS, '--tag-regex', PLATE_NAME_TAGS];
  let ticks = 0;
  const imported = await timed(`import ${count(million)} files by reference (timeout ${importTimeoutS} s)`, () =>
    cli(importArgs, {
      preload,
      timeoutMs: importTimeoutS * 1000,
      allowFail: true,
      // Items every 4th tick (a listing of the data folder: ~0.5 s at 1,000,000 files).
      onTick: async (s) => {
        const items = ticks++ % 4 === 3 ? `, ${count(await committedItems(experiment))} items committed` : '';
        log(`  import: ${s.seconds.toFixed(0)} s, RSS ${mib(s.rssKiB)} (peak ${mib(s.peakKiB)})${items}`);
      },
    }),
  );
  const items = await committedItems(experiment);
  const finished = !imported.timedOut && imported.code === 0;
  const importNote = imported.timedOut
    ? `did not finish in ${importTimeoutS} s (${count(items)} items committed)`
    : imported.code !== 0
      ? `failed (exit ${imported.code ?? imported.signal}): ${imported.stderr.trim().split('\n').slice(-1)[0] ?? ''}`
      : imported.stdout
          .trim()
          .split('\n')[0]
          ?.replace(/ into .*/, '');
  rows.push({
    measure: `import --reference, ${count(million)} files`,
    ms: imported.ms,
    ...(imported.maxRssKiB !== undefined && { rssKiB: imported.maxRssKiB, rssSampled: imported.rssSampled }),
    // The targets are for 1,000,000 files: other counts show them without a verdict.
    target: million === 1_000_000 ? '<= 60 s, RSS <= 1 GiB' : '(1M: <= 60 s, RSS <= 1 GiB)',
    ...(million === 1_000_000 && { pass: finished && imported.ms <= 60_000 && (imported.maxRssKiB ?? Infinity) <= GIB_KIB }),
    ...(importNote !== undefined && { note: importNote }),
  });
  if (items === 0) return;
  const label = finished ? count(million) : `${count(items)} (partial)`;
  const all = ['query', '-e', experiment, '--count'];
  const where = [...all, '--where', PLATE_WHERE];
  await timed(`query ${label} items`, async () => {
    const first = await cli(all, { preload, allowFail: true });
    rows.push({
      measure: `query --count, ${label} items: first after import`,
      ms: first.ms,
      ...(first.maxRssKiB !== undefined && { rssKiB: first.maxRssKiB }),
      note: first.code === 0 ? `${count(Number(first.stdout.trim()))} items` : `failed: ${first.stderr.trim()}`,
    });
    if (first.code !== 0) return;
    const total = Number(first.stdout.trim());
    rows.push(
      ratioRow(
        `query --count, ${label} items: reopen`,
        await compare(preload, all, (r) => checkCount(r, total, 'query --count')),
        undefined,
        millionTarget(300),
        millionTarget(GIB_KIB),
      ),
    );
    const expected = finished ? plateWhereHits(million) : undefined;
    rows.push(
      ratioRow(
        `query --count --where, ${label} items: reopen`,
        await compare(preload, where, (r) => checkCount(r, expected, 'query --count --where')),
        undefined,
        millionTarget(300),
        millionTarget(GIB_KIB),
        `where ${PLATE_WHERE}`,
      ),
    );
  });
}

function printTable(): void {
  const width = Math.max(52, ...rows.map((r) => r.measure.length + 2));
  console.log(
    'measure'.padEnd(width) + 'time'.padEnd(10) + 'node -e 0'.padEnd(11) + 'ratio'.padEnd(8) + 'peak RSS'.padEnd(12) + 'target'.padEnd(30) + 'result',
  );
  for (const r of rows) {
    const ratio = r.ms !== undefined && r.baseMs !== undefined ? `${(r.ms / r.baseMs).toFixed(2)}` : '';
    const rss = r.rssKiB === undefined ? '' : `${r.rssSampled ? '>= ' : ''}${mib(r.rssKiB)}`;
    const result = r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL';
    console.log(
      r.measure.padEnd(width) +
        (r.ms === undefined ? '' : seconds(r.ms)).padEnd(10) +
        (r.baseMs === undefined ? '' : seconds(r.baseMs)).padEnd(11) +
        ratio.padEnd(8) +
        rss.padEnd(12) +
        (r.target ?? '').padEnd(30) +
        result +
        (r.note === undefined ? '' : `${result === '' ? '' : '  '}${r.note}`),
    );
  }
}

if (!CLI_BUILDS.some((file) => existsSync(file))) {
  console.error(`bench:cli needs the built CLI: ${CLI_BUILDS.join(' and ')} are missing. Run 'npm run build' first ('npm run bench:cli' does).`);
  process.exitCode = 1;
} else {
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const started = performance.now();
  try {
    const preload = await writeRssPreload(root);
    await mkdir(workspace);
    await cli(['init', workspace]);
    if (plugins !== undefined) {
      const file = join(workspace, 'bioimageit.config.json');
      await writeFile(file, JSON.stringify({ ...(JSON.parse(await readFile(file, 'utf8')) as object), plugins }, null, 2));
    }
    const config = JSON.parse(await readFile(join(workspace, 'bioimageit.config.json'), 'utf8')) as { plugins?: string[] };
    await part('bioimageit --version', () =>
      timed('--version', async () => {
        rows.push(ratioRow('bioimageit --version', await compare(preload, ['--version']), 2));
      }),
    );
    await part('queries', () => queryParts(preload));
    if (million > 0) await part(`${count(million)} files`, () => millionPart(preload, config.plugins ?? []));
    console.log(
      `\nBioImageIT CLI benchmark (whole processes of node cli/bin/bioimageit.js against node -e 0, medians of ${runs} interleaved runs; ` +
        `node ${process.version}, ${availableParallelism()} x ${cpus()[0]?.model.trim() ?? 'CPU'}; workspace plugins: ${(config.plugins ?? []).join(', ')})`,
    );
    printTable();
    console.log(`\nqueries over v1 experiments: --where '${QUERY_WHERE}'; "first open" builds the index (once), "reopen" is every later command`);
    console.log(
      `time of each part: ${parts.map((p) => `${p.part} ${p.seconds.toFixed(1)} s`).join('; ')}; all ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    if (keep) console.log(`kept: ${root}`);
  } finally {
    if (!keep) await rm(root, { recursive: true, force: true });
  }
}
