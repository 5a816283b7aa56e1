import path from 'node:path';
import { shellQuote } from './shell-quote.js';
import type { SlurmRunOverrides } from './slurm-run-options.js';
import type { SlurmSettings } from './slurm-settings.js';

/** One tool execution inside a job script: where it runs, its argv and its complete environment. */
export interface ScriptTask {
  readonly cwd: string;
  readonly argv: readonly string[];
  /** Every variable the tool sees besides the SLURM facts of {@link RUNTIME_VARIABLES}; nothing else reaches it. */
  readonly env: Readonly<Record<string, string>>;
}

/** What the scheduler must reserve for each task (from the tool manifest's `resources`). */
export interface TaskResources {
  readonly cpus?: number;
  readonly memoryMb?: number;
  readonly gpus?: number;
  /** Scheduler time limit in minutes (a backstop: the runner enforces exact timeouts itself). */
  readonly timeLimitMinutes?: number;
}

/** One submission: a plain job (one task) or an array job (one task per job of a run). */
export interface BatchSpec {
  /** `--job-name` (sanitized). */
  readonly name: string;
  /** Folder holding the script and SLURM's output files; shared with the compute nodes. */
  readonly dir: string;
  readonly tasks: readonly ScriptTask[];
  /** True: an array job (`--array=0-N`), even for one task. False: a plain job; exactly one task. */
  readonly array: boolean;
  readonly resources: TaskResources;
  readonly settings: Pick<SlurmSettings, 'partition' | 'account' | 'qos' | 'extraArgs' | 'arrayParallel'>;
  /** The run's own values (its `runnerOptions`), over `resources` and `settings`; `gres: ''` asks for none. */
  readonly overrides?: SlurmRunOverrides;
  /** `--comment`: who submitted it (see ownerComment); absent: none. */
  readonly owner?: string;
}

/**
 * SLURM facts passed on to tools when the job has them (job and task ids, node, CPUs and memory
 * granted, the GPUs SLURM bound): tools may size their threads by them. Nothing else of the batch
 * environment reaches a tool.
 */
export const RUNTIME_VARIABLES = [
  'SLURM_JOB_ID',
  'SLURM_ARRAY_JOB_ID',
  'SLURM_ARRAY_TASK_ID',
  'SLURM_JOB_NODELIST',
  'SLURMD_NODENAME',
  'SLURM_CPUS_PER_TASK',
  'SLURM_CPUS_ON_NODE',
  'SLURM_MEM_PER_NODE',
  'SLURM_MEM_PER_CPU',
  'SLURM_JOB_PARTITION',
  'SLURM_JOB_ACCOUNT',
  'SLURM_JOB_GPUS',
  'CUDA_VISIBLE_DEVICES',
] as const;

/** Exit status of a task that could not start (its folder is missing on the node, no such task). */
export const SCRIPT_SETUP_FAILURE = 125;

/** File names of the script and SLURM's output files inside the batch folder. */
export const SCRIPT_FILE = 'job.sh';

/** Where SLURM writes task `index`'s stdout and stderr (`undefined`: the plain job's). */
export function taskOutputFiles(dir: string, index: number | undefined): { readonly stdout: string; readonly stderr: string } {
  const stem = index === undefined ? 'job' : String(index);
  return { stdout: path.join(dir, `${stem}.out`), stderr: path.join(dir, `${stem}.err`) };
}

/** `%` starts a SLURM file-name pattern; a literal one in a folder name is written `%%`. */
function slurmPattern(file: string): string {
  return file.replaceAll('%', '%%');
}

/** `biit-<name>`, reduced to characters every SLURM version accepts in a job name. */
export function jobName(toolId: string | undefined): string {
  return `biit-${(toolId ?? 'job').replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60)}`;
}

/**
 * The sbatch options of a batch (the script path goes after them): output files in the batch
 * folder, the resources, partition, account, QOS and extra options of the settings, the run's
 * `overrides` replacing the resource or setting each names (the settings' extra options still
 * come last). Overrides are validated values (see slurmRunOverrides), one argument each. The job
 * environment is sbatch's own, which SlurmCli keeps minimal (see slurmCommandEnvironment), and the
 * script hands tools only their declared variables (`env -i`). `--export=NONE` is not used: it
 * makes SLURM load the user's login environment for every job (`su - user`), seconds per job.
 */
export function sbatchOptions(spec: BatchSpec): string[] {
  const { resources, settings } = spec;
  const options = [`--job-name=${jobName(spec.name)}`, `--chdir=${spec.dir}`];
  if (spec.owner !== undefined) options.push(`--comment=${spec.owner}`);
  if (spec.array) {
    const out = taskOutputFiles(slurmPattern(spec.dir), 0);
    options.push(`--array=0-${spec.tasks.length - 1}${settings.arrayParallel === undefined ? '' : `%${settings.arrayParallel}`}`);
    options.push(`--output=${out.stdout.replace(/0\.out$/, '%a.out')}`, `--error=${out.stderr.replace(/0\.err$/, '%a.err')}`);
  } else {
    if (spec.tasks.length !== 1) throw new Error(`a plain job runs exactly one task, not ${spec.tasks.length}`);
    const out = taskOutputFiles(slurmPattern(spec.dir), undefined);
    options.push(`--output=${out.stdout}`, `--error=${out.stderr}`);
  }
  options.push('--ntasks=1');
  const run = spec.overrides ?? {};
  const cpus = run.cpusPerTask ?? (resources.cpus === undefined ? undefined : Math.max(1, Math.ceil(resources.cpus)));
  if (cpus !== undefined) options.push(`--cpus-per-task=${cpus}`);
  const mem = run.mem ?? (resources.memoryMb === undefined ? undefined : `${Math.max(1, Math.ceil(resources.memoryMb))}M`);
  if (mem !== undefined) options.push(`--mem=${mem}`);
  const gres = run.gres ?? (resources.gpus !== undefined && resources.gpus > 0 ? `gpu:${Math.ceil(resources.gpus)}` : undefined);
  if (gres !== undefined && gres !== '') options.push(`--gres=${gres}`);
  const time = run.time ?? (resources.timeLimitMinutes === undefined ? undefined : String(Math.max(1, Math.ceil(resources.timeLimitMinutes))));
  if (time !== undefined) options.push(`--time=${time}`);
  for (const field of ['partition', 'account', 'qos'] as const) {
    const value = run[field] ?? settings[field];
    if (value !== undefined) options.push(`--${field}=${value}`);
  }
  options.push(...settings.extraArgs);
  return options;
}

/** Signals a tool may die of that the job shell re-raises on itself, so SLURM records the signal. */
const FATAL_SIGNALS = [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25];

/**
 * The lines that run one task: enter its folder, start the tool with a clean environment in a
 * process group of its own (`setsid`), forward SIGTERM/SIGINT/SIGHUP (scancel) to that whole group
 * (the trap is set first: a signal that comes before the tool's pid is known is held and forwarded then),
 * wait for the tool, SIGKILL whatever it left running in its group, and end the way the tool
 * ended: its exit code, or its death signal raised again on the job shell.
 */
function taskLines(task: ScriptTask, indent: string): string[] {
  const runtime = RUNTIME_VARIABLES.map((name) => `\${${name}+"${name}=$${name}"}`);
  const declared = Object.entries(task.env).map(([name, value]) => shellQuote(`${name}=${value}`));
  const signalled = FATAL_SIGNALS.map((n) => 128 + n).join('|');
  return [
    `cd -- ${shellQuote(task.cwd)} || exit ${SCRIPT_SETUP_FAILURE}`,
    // The trap is in place before the tool starts: a cancel arriving meanwhile is held, then forwarded.
    'tool=; stop=',
    `trap 'if [ -n "$tool" ]; then kill -s TERM -- "-$tool" 2>/dev/null || kill -s TERM "$tool" 2>/dev/null; else stop=1; fi' TERM INT HUP`,
    `setsid -w env -i -- ${[...runtime, ...declared, ...task.argv.map(shellQuote)].join(' ')} &`,
    'tool=$!',
    // Not in its own group yet (setsid not reached): the process itself, before it starts anything.
    'if [ -n "$stop" ]; then kill -s TERM -- "-$tool" 2>/dev/null || kill -s TERM "$tool" 2>/dev/null; fi',
    'wait "$tool"; status=$?',
    'while kill -0 "$tool" 2>/dev/null; do wait "$tool"; status=$?; done',
    'kill -s KILL -- "-$tool" 2>/dev/null',
    'trap - TERM INT HUP',
    `case $status in ${signalled}) kill -$((status - 128)) $$ ;; esac`,
    'exit "$status"',
  ].map((line) => `${indent}${line}`);
}

/**
 * The job script of a batch: POSIX sh that runs the task SLURM assigns (by
 * `SLURM_ARRAY_TASK_ID` in an array job) with `env -i` in its own process group, so that
 * cancelling the job stops everything the tool started, whatever SLURM's process tracking (with
 * `proctrack/linuxproc`, processes whose parent died escape it). The job ends with the tool's exit
 * code, or dies of the same signal; an exit code above 128 that matches a fatal signal reads as
 * that signal, as in any shell. Every argv element and variable is single-quoted (see
 * shellQuote): the tool receives its argv literally, as from the local runner.
 */
export function jobScript(spec: BatchSpec): string {
  const header = [
    '#!/bin/sh',
    `# BioImageIT job script (@bioimageit/slurm-runner): ${spec.tasks.length} task(s) of ${spec.name}.`,
    `# Submitted with: sbatch --parsable ${sbatchOptions(spec).map(shellQuote).join(' ')} ${shellQuote(path.join(spec.dir, SCRIPT_FILE))}`,
  ];
  if (!spec.array) return [...header, ...taskLines(spec.tasks[0] as ScriptTask, ''), ''].join('\n');
  const cases = spec.tasks.flatMap((task, i) => [`${i})`, ...taskLines(task, '  '), '  ;;']);
  return [
    ...header,
    'case "${SLURM_ARRAY_TASK_ID-}" in',
    ...cases,
    `*) echo "bioimageit: this job script has no task '\${SLURM_ARRAY_TASK_ID-}'" >&2; exit ${SCRIPT_SETUP_FAILURE} ;;`,
    'esac',
    '',
  ].join('\n');
}
