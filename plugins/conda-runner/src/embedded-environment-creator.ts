import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { mapConcurrent, RunnerError } from '@bioimageit/core';
import { activatedVariables, writeStateVariables } from './activation.js';
import { appendHistory, specName, writePrefixRecord } from './conda-meta-writer.js';
import type { CreationPaths, CreationReport, EnvironmentCreator } from './environment-creator.js';
import type { SolvedEnvironmentSpec } from './environment-spec.js';
import { PackageCache } from './package-cache.js';
import { linkPackage } from './package-linker.js';
import { solveWithRattler, type SolvedRecord } from './rattler-solver.js';

/** Settings of the embedded path. */
export interface EmbeddedCreatorOptions {
  /** Shared package cache folder (`<envs>/.pkgs`). */
  readonly packagesDir: string;
  /** Variables the post-link scripts and `init` start from (PATH, HOME, LANG, USER). */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Packages downloaded at once (default 4). */
  readonly downloads?: number;
  /** Solver (tests replace it); default rattler. */
  readonly solve?: (spec: SolvedEnvironmentSpec, label: string) => Promise<SolvedRecord[]>;
}

/** Dependencies before dependents (so post-link scripts find what they need); ties keep the solver's order. */
export function installOrder(records: readonly SolvedRecord[]): SolvedRecord[] {
  const byName = new Map(records.map((r) => [r.name, r]));
  const done = new Set<string>();
  const order: SolvedRecord[] = [];
  const visit = (r: SolvedRecord, path: Set<string>): void => {
    if (done.has(r.name) || path.has(r.name)) return;
    path.add(r.name);
    for (const dep of r.depends) {
      const d = byName.get(specName(dep));
      if (d !== undefined) visit(d, path);
    }
    done.add(r.name);
    order.push(r);
  };
  for (const r of records) visit(r, new Set());
  return order;
}

/** Resolves or rejects as `promise` does, or rejects with the signal's reason as soon as it is aborted. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Runs argv (no shell) with `env` in `cwd`; rejects with the end of its output when it fails. Aborting `signal` kills it. */
export function runQuiet(argv: readonly string[], env: Record<string, string>, cwd: string, what: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], ...(signal !== undefined && { signal }) });
    let output = '';
    const keep = (c: Buffer): void => void (output = (output + c.toString()).slice(-2000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (e) => reject(new Error(`${what}: cannot start '${argv[0]}': ${e.message}`)));
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${what} failed (${signal ?? `exit code ${code}`}): ${output.trim()}`))));
  });
}

/**
 * Creates environments without any conda command: solves with rattler, downloads the archives
 * into the shared package cache (checksums verified), extracts them, links every package into a
 * staging folder with prefix placeholders replaced by the final path, writes `conda-meta/`,
 * renames the staging folder to the prefix, then runs the packages' post-link scripts and the
 * requirement's `init` command in the activated environment.
 */
export class EmbeddedEnvironmentCreator implements EnvironmentCreator {
  readonly kind = 'embedded' as const;
  private readonly cache: PackageCache;

  constructor(private readonly options: EmbeddedCreatorOptions) {
    this.cache = new PackageCache(options.packagesDir);
  }

  async describe(): Promise<string> {
    return 'embedded (rattler solver, BioImageIT installer)';
  }

  async create(spec: SolvedEnvironmentSpec, paths: CreationPaths, report: CreationReport, label: string, signal?: AbortSignal): Promise<void> {
    if (spec.pip.length > 0) {
      throw new RunnerError(
        'UNAVAILABLE',
        `${label}: pip packages (${spec.pip.join(', ')}) need a conda command (micromamba, mamba or conda; set BIOIMAGEIT_CONDA_COMMAND)`,
        {
          details: { pip: spec.pip },
        },
      );
    }
    await this.cache.sweep();
    report('solving', `solving [${spec.specs.join(', ')}] over ${spec.channels.join(', ')}`);
    const records = installOrder(await abortable((this.options.solve ?? solveWithRattler)(spec, label), signal));
    const total = records.length;
    let fetched = 0;
    const folders = await mapConcurrent(records, this.options.downloads ?? 4, async (record) => {
      signal?.throwIfAborted();
      const archive = await this.cache.archive(record, signal);
      const folder = await this.cache.extracted(record, archive, signal);
      report('downloading', `downloaded and extracted ${record.filename}`, ++fetched, total);
      return folder;
    });
    const target = path.join(paths.staging, 'prefix');
    await mkdir(target, { recursive: true });
    const python = records.find((r) => r.name === 'python');
    const pythonVersion = python?.version.split('.').slice(0, 2).join('.');
    const requested = new Map(spec.specs.map((s) => [specName(s), s]));
    for (const [i, record] of records.entries()) {
      signal?.throwIfAborted();
      const folder = folders[i] as string;
      const noarch = await this.noarchOf(folder);
      try {
        const linked = await linkPackage({
          source: folder,
          target,
          prefix: paths.prefix,
          ...(noarch !== undefined && { noarch }),
          ...(pythonVersion !== undefined && { pythonVersion }),
        });
        await writePrefixRecord(target, record, folder, linked, requested.get(record.name));
      } catch (e) {
        if (e instanceof RunnerError) throw e;
        throw new RunnerError(
          'UNAVAILABLE',
          `${label}: cannot install conda package ${record.name}-${record.version}-${record.build}: ${e instanceof Error ? e.message : String(e)}`,
          {
            cause: e,
            details: { package: record.name },
          },
        );
      }
      report('linking', `linked ${record.name} ${record.version}`, i + 1, total);
    }
    await appendHistory(target, records, spec.specs);
    await rename(target, paths.prefix);
    if (spec.variables !== undefined) await writeStateVariables(paths.prefix, spec.variables);
    await this.postLink(records, paths.prefix, label, report, signal);
    if (spec.init !== undefined) {
      report('initializing', `running init: ${spec.init}`);
      const env = { ...this.options.baseEnv, ...(await activatedVariables(paths.prefix, this.options.baseEnv)) };
      await runQuiet(spec.init.split(/\s+/), env, paths.prefix, `init '${spec.init}'`, signal).catch((e: unknown) => {
        throw new RunnerError('UNAVAILABLE', `${label}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { init: spec.init } });
      });
    }
  }

  private async noarchOf(folder: string): Promise<string | undefined> {
    const index = JSON.parse(await readFile(path.join(folder, 'info', 'index.json'), 'utf8')) as { noarch?: unknown };
    return typeof index.noarch === 'string' ? index.noarch : undefined;
  }

  /** Runs `bin/.<name>-post-link.sh` of each package that has one, as conda does (PREFIX, PKG_* set, the prefix's bin first on PATH). */
  private async postLink(records: readonly SolvedRecord[], prefix: string, label: string, report: CreationReport, signal?: AbortSignal): Promise<void> {
    const bin = path.join(prefix, 'bin');
    const present = new Set(await readdir(bin).catch(() => [] as string[]));
    for (const record of records) {
      const script = `.${record.name}-post-link.sh`;
      if (!present.has(script) || !(await stat(path.join(bin, script))).isFile()) continue;
      report('linking', `post-link script of ${record.name}`);
      const env = {
        ...this.options.baseEnv,
        PATH: `${bin}${path.delimiter}${this.options.baseEnv['PATH'] ?? ''}`,
        PREFIX: prefix,
        PKG_NAME: record.name,
        PKG_VERSION: record.version,
        PKG_BUILDNUM: String(record.buildNumber),
      };
      await runQuiet(['sh', path.join(bin, script)], env, prefix, `post-link script of ${record.name}`, signal).catch((e: unknown) => {
        throw new RunnerError('UNAVAILABLE', `${label}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { package: record.name } });
      });
    }
  }
}
