import path from 'node:path';
import { ConfigError } from '@bioimageit/core';

/** How the slurm runner submits, watches and cancels jobs. Every field has a default. */
export interface SlurmSettings {
  /** `--partition` of every job (default: the cluster's default partition). */
  readonly partition?: string;
  /** `--account` charged for every job. */
  readonly account?: string;
  /** `--qos` of every job. */
  readonly qos?: string;
  /** More sbatch options, one argument each (`["--constraint=avx2", "--exclusive"]`). */
  readonly extraArgs: readonly string[];
  /** Submit the jobs of one run that arrive together as one array job (default true); false: one sbatch per job. */
  readonly array: boolean;
  /** Most tasks in one array job (default 1000; keep it below the cluster's MaxArraySize). */
  readonly arrayMaxSize: number;
  /** Most tasks of one array running at once (`--array=0-N%P`); absent: no limit. */
  readonly arrayParallel?: number;
  /** An array is submitted once no job of its run arrived for this long (default 200 ms)... */
  readonly batchIdleMs: number;
  /** ...or this long after its first job arrived (default 2000 ms). */
  readonly batchMaxWaitMs: number;
  /** Polling of squeue: starts at `pollMinMs` (default 500) and backs off to `pollMaxMs` (default 10000) while nothing changes. */
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  /** After scancel, how long a job may take to stop before it is sent SIGKILL (default 10000 ms). */
  readonly killGraceMs: number;
  /** Check with a probe job that the workspace is visible to jobs before the first job runs (default true). */
  readonly checkWorkspace: boolean;
  /** Keep job scripts and SLURM output files after jobs end (default false; for debugging). */
  readonly keepScripts: boolean;
  /** Folder holding sbatch, squeue, scancel and sacct; absent: found on PATH. */
  readonly binDir?: string;
  /** Jobs of a run handed to SLURM at once when the run names no number (`--jobs`; default 64). */
  readonly defaultJobs: number;
}

/** Defaults of every setting. */
export const DEFAULT_SLURM_SETTINGS: SlurmSettings = Object.freeze({
  extraArgs: [],
  array: true,
  arrayMaxSize: 1000,
  batchIdleMs: 200,
  batchMaxWaitMs: 2000,
  pollMinMs: 500,
  pollMaxMs: 10_000,
  killGraceMs: 10_000,
  checkWorkspace: true,
  keepScripts: false,
  defaultJobs: 64,
});

/**
 * Variables that configure the runner (read when the plugin activates), each mapped to its setting:
 * `BIOIMAGEIT_SLURM_PARTITION`, `_ACCOUNT`, `_QOS`, `_SBATCH_ARGS` (a JSON array of strings, or
 * arguments separated by spaces), `_ARRAY` (`true`/`false`), `_ARRAY_MAX_SIZE`, `_ARRAY_PARALLEL`,
 * `_BATCH_IDLE_MS`, `_BATCH_MAX_WAIT_MS`, `_POLL_MIN_MS`, `_POLL_MAX_MS`, `_KILL_GRACE_MS`,
 * `_CHECK_WORKSPACE`, `_KEEP_SCRIPTS`, `_BIN_DIR`. SLURM's own variables (`SLURM_CONF`...) reach
 * the SLURM commands unchanged.
 */
export const SLURM_SETTING_VARIABLES = {
  BIOIMAGEIT_SLURM_PARTITION: 'partition',
  BIOIMAGEIT_SLURM_ACCOUNT: 'account',
  BIOIMAGEIT_SLURM_QOS: 'qos',
  BIOIMAGEIT_SLURM_SBATCH_ARGS: 'extraArgs',
  BIOIMAGEIT_SLURM_ARRAY: 'array',
  BIOIMAGEIT_SLURM_ARRAY_MAX_SIZE: 'arrayMaxSize',
  BIOIMAGEIT_SLURM_ARRAY_PARALLEL: 'arrayParallel',
  BIOIMAGEIT_SLURM_BATCH_IDLE_MS: 'batchIdleMs',
  BIOIMAGEIT_SLURM_BATCH_MAX_WAIT_MS: 'batchMaxWaitMs',
  BIOIMAGEIT_SLURM_POLL_MIN_MS: 'pollMinMs',
  BIOIMAGEIT_SLURM_POLL_MAX_MS: 'pollMaxMs',
  BIOIMAGEIT_SLURM_KILL_GRACE_MS: 'killGraceMs',
  BIOIMAGEIT_SLURM_CHECK_WORKSPACE: 'checkWorkspace',
  BIOIMAGEIT_SLURM_KEEP_SCRIPTS: 'keepScripts',
  BIOIMAGEIT_SLURM_BIN_DIR: 'binDir',
  BIOIMAGEIT_SLURM_JOBS: 'defaultJobs',
} as const satisfies Record<string, keyof SlurmSettings>;

type Raw = Readonly<Record<string, unknown>>;

const NAME = /^[A-Za-z0-9_.+-]+$/;

/**
 * Validates settings given as an object (an embedder's options, or a parsed config section) over
 * the defaults. Throws ConfigError INVALID naming `source` and the field.
 */
export function parseSlurmSettings(raw: Raw, source: string, base: SlurmSettings = DEFAULT_SLURM_SETTINGS): SlurmSettings {
  const bad = (field: string, why: string): ConfigError =>
    new ConfigError('INVALID', `${source}: slurm setting '${field}' ${why}`, { details: { source, field } });
  const known = new Set(Object.values(SLURM_SETTING_VARIABLES) as string[]);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw bad(key, `is not a known setting (${[...known].join(', ')})`);
  const out: Record<string, unknown> = { ...base };
  for (const field of ['partition', 'account', 'qos'] as const) {
    const value = raw[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !NAME.test(value)) throw bad(field, 'must be a SLURM name (letters, digits, _ . + -)');
    out[field] = value;
  }
  if (raw['extraArgs'] !== undefined) {
    const args = raw['extraArgs'];
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string' && a.startsWith('-')))
      throw bad('extraArgs', 'must be an array of sbatch options, each starting with -');
    if (args.some((a) => /^--?(array|output|error|chdir|export|wrap|parsable|D|o|e|a)(=|$)/.test(a))) {
      throw bad('extraArgs', 'must not set --array, --output, --error, --chdir, --export, --wrap or --parsable (the runner sets them)');
    }
    out['extraArgs'] = [...args];
  }
  for (const field of ['array', 'checkWorkspace', 'keepScripts'] as const) {
    const value = raw[field];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw bad(field, 'must be true or false');
    out[field] = value;
  }
  const ints: readonly [keyof SlurmSettings, number][] = [
    ['arrayMaxSize', 1],
    ['arrayParallel', 1],
    ['batchIdleMs', 0],
    ['batchMaxWaitMs', 0],
    ['pollMinMs', 10],
    ['pollMaxMs', 10],
    ['killGraceMs', 0],
    ['defaultJobs', 1],
  ];
  for (const [field, min] of ints) {
    const value = raw[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw bad(field, `must be an integer >= ${min}`);
    out[field] = value;
  }
  if (raw['binDir'] !== undefined) {
    if (typeof raw['binDir'] !== 'string' || !path.isAbsolute(raw['binDir'])) throw bad('binDir', 'must be an absolute folder path');
    out['binDir'] = raw['binDir'];
  }
  const settings = out as unknown as SlurmSettings;
  if (settings.pollMaxMs < settings.pollMinMs) throw bad('pollMaxMs', `must be >= pollMinMs (${settings.pollMinMs})`);
  return settings;
}

/** Reads the {@link SLURM_SETTING_VARIABLES} set in `env` into a raw settings object (values typed). */
export function slurmSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [variable, field] of Object.entries(SLURM_SETTING_VARIABLES)) {
    const text = env[variable]?.trim();
    if (text === undefined || text === '') continue;
    raw[field] = typedValue(field, text, variable);
  }
  return raw;
}

function typedValue(field: keyof SlurmSettings, text: string, variable: string): unknown {
  switch (field) {
    case 'extraArgs':
      if (text.startsWith('[')) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new ConfigError('INVALID', `${variable}: not a JSON array of strings`, { details: { source: variable, field } });
        }
      }
      return text.split(/\s+/);
    case 'array':
    case 'checkWorkspace':
    case 'keepScripts':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      return text;
    case 'arrayMaxSize':
    case 'arrayParallel':
    case 'batchIdleMs':
    case 'batchMaxWaitMs':
    case 'pollMinMs':
    case 'pollMaxMs':
    case 'killGraceMs':
    case 'defaultJobs':
      return /^\d+$/.test(text) ? Number(text) : text;
    default:
      return text;
  }
}

/**
 * The runner's settings: defaults, then `options` (an embedder's), then the environment's
 * {@link SLURM_SETTING_VARIABLES}. Throws ConfigError INVALID naming the variable or field.
 */
export function resolveSlurmSettings(options: Raw = {}, env: Readonly<Record<string, string | undefined>> = process.env): SlurmSettings {
  const fromOptions = parseSlurmSettings(options, 'slurm runner options');
  return parseSlurmSettings(slurmSettingsFromEnv(env), 'environment (BIOIMAGEIT_SLURM_* variables)', fromOptions);
}
