import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import type { RunnerJob, ToolManifest } from '@bioimageit/core';
import type { DockerRunOverrides } from './docker-run-options.js';

/** Labels put on every container the runner creates (find leftovers with `label=org.bioimageit.runner`). */
export const LABELS = {
  runner: 'org.bioimageit.runner',
  job: 'org.bioimageit.job',
  run: 'org.bioimageit.run',
  tool: 'org.bioimageit.tool',
  /** `<host>:<pid>` of the process that started the container (see `sweepOrphanContainers`). */
  owner: 'org.bioimageit.owner',
} as const;

/** The value of the {@link LABELS.owner} label for containers this process starts. */
export const OWNER = `${hostname()}:${process.pid}`;

/** Above this many input files, their folders are mounted instead of each file. */
export const MAX_FILE_MOUNTS = 128;

/** One bind mount of the Engine API's `HostConfig.Mounts`. */
export interface BindMount {
  readonly Type: 'bind';
  readonly Source: string;
  readonly Target: string;
  readonly ReadOnly: boolean;
}

/** How the runner shapes containers; see {@link DockerRunnerOptions} for the user-facing side. */
export interface ContainerSettings {
  /** `uid:gid` the tool runs as (outputs belong to this user). */
  readonly user: string;
  /** Network mode of tools that ask for a network (`requirements.docker.network: true`). */
  readonly networkMode: string;
  /** Host variables readable through `passEnv` (the runner's host environment). */
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
}

/** What the runner sends to `POST /containers/create`, plus the name it asks for. */
export interface ContainerSpec {
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly mounts: readonly BindMount[];
  readonly networkMode: string;
}

/** True when the tool declares that it needs a network (`requirements.docker.network: true`). */
export function toolAsksForNetwork(tool: ToolManifest | undefined): boolean {
  return tool?.requirements.docker?.network === true;
}

/** A container name unique to this job and attempt: `bioimageit-<job id>-<random>`. */
export function containerName(jobId: string): string {
  const safe = jobId
    .replace(/[^a-zA-Z0-9_.-]+/g, '-')
    .replace(/^[^a-zA-Z0-9]+/, '')
    .slice(0, 80)
    .replace(/[^a-zA-Z0-9]+$/, '');
  return `bioimageit-${safe === '' ? 'job' : safe}-${randomBytes(5).toString('hex')}`;
}

const isInside = (child: string, parent: string): boolean => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** Folders that hold `files`, without folders inside other listed folders. */
function coveringFolders(files: readonly string[]): string[] {
  const folders = [...new Set(files.map((f) => path.dirname(f)))].sort();
  const kept: string[] = [];
  for (const folder of folders) if (!kept.some((k) => isInside(folder, k))) kept.push(folder);
  return kept;
}

/**
 * The bind mounts of a job, each at the same path inside the container as on the host:
 * the working directory (read-write, where outputs go), TMPDIR when it lies outside it
 * (read-write), the tool's folder (read-only, for `{tool.dir}` scripts) and every input file
 * (read-only; their folders instead when there are more than {@link MAX_FILE_MOUNTS}).
 * Inputs inside the working directory are mounted read-only over it. Targets are unique.
 */
export function jobMounts(job: RunnerJob, tmpDir: string, toolDir: string | undefined): BindMount[] {
  const mounts = new Map<string, BindMount>();
  const add = (source: string, readOnly: boolean): void => {
    const target = path.resolve(source);
    if (!mounts.has(target)) mounts.set(target, { Type: 'bind', Source: target, Target: target, ReadOnly: readOnly });
  };
  add(job.cwd, false);
  if (!isInside(path.resolve(tmpDir), path.resolve(job.cwd))) add(tmpDir, false);
  const inputs = [...new Set((job.inputPaths ?? []).map((p) => path.resolve(p)))];
  const readable = inputs.length > MAX_FILE_MOUNTS ? coveringFolders(inputs) : inputs;
  if (toolDir !== undefined) add(toolDir, true);
  for (const source of readable) add(source, true);
  return [...mounts.values()];
}

/**
 * The container's variables: `LANG` (C.UTF-8), `HOME` and `TMPDIR` (the job's temporary folder),
 * `USER` when known, then the `passEnv` variables the host sets, then the job's own, which win.
 * `PATH` comes from the image (Docker's default when the image sets none). Nothing else of the
 * host reaches the tool.
 */
export function containerEnv(job: RunnerJob, tmpDir: string, hostEnv: ContainerSettings['hostEnv']): string[] {
  const env: Record<string, string> = { LANG: 'C.UTF-8', HOME: tmpDir, TMPDIR: tmpDir };
  const user = hostEnv['USER'] ?? hostEnv['LOGNAME'];
  if (user !== undefined) env['USER'] = user;
  for (const name of job.passEnv ?? []) {
    const value = hostEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, job.env);
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/**
 * `HostConfig` limits from the tool's resources: memory (no extra swap), CPUs, GPUs; a run's own
 * values (`overrides`, from its `runnerOptions`) replace the tool's (`gpus: 0`: none).
 */
export function resourceLimits(tool: ToolManifest | undefined, overrides: DockerRunOverrides = {}): Record<string, unknown> {
  const resources = tool?.resources ?? {};
  const limits: Record<string, unknown> = {};
  const memory =
    overrides.memoryBytes ?? (resources.memoryMb !== undefined && resources.memoryMb > 0 ? Math.round(resources.memoryMb * 1024 * 1024) : undefined);
  if (memory !== undefined) {
    limits['Memory'] = memory;
    limits['MemorySwap'] = memory;
  }
  const cpus = overrides.cpus ?? resources.cpus;
  if (cpus !== undefined && cpus > 0) limits['NanoCpus'] = Math.round(cpus * 1e9);
  const gpus = overrides.gpus ?? resources.gpus;
  if (gpus !== undefined && gpus > 0) {
    limits['DeviceRequests'] = [{ Driver: '', Count: Math.floor(gpus), Capabilities: [['gpu']] }];
  }
  return limits;
}

/**
 * The create request of one job: argv as Entrypoint + Cmd (the image's own entrypoint is
 * replaced: the manifest's argv is the whole command, never a shell line), the working directory,
 * the invoking user, no TTY and no stdin, the mounts, `NetworkMode: none` unless the tool asks for
 * a network, the tool's limits (or the run's own, `overrides`), no privilege gain through setuid files (`no-new-privileges`),
 * labels naming the runner, job, run, tool and owner, and no log driver (output is streamed to the
 * job's log files by attaching, not stored by the daemon).
 */
export function containerSpec(
  job: RunnerJob,
  image: string,
  tmpDir: string,
  toolDir: string | undefined,
  settings: ContainerSettings,
  overrides: DockerRunOverrides = {},
): ContainerSpec {
  const mounts = jobMounts(job, tmpDir, toolDir);
  const networkMode = toolAsksForNetwork(job.tool) ? settings.networkMode : 'none';
  const labels: Record<string, string> = { [LABELS.runner]: 'docker', [LABELS.job]: job.id, [LABELS.owner]: OWNER };
  if (job.runId !== undefined) labels[LABELS.run] = job.runId;
  if (job.tool !== undefined) labels[LABELS.tool] = `${job.tool.id}@${job.tool.version}`;
  const body = {
    Image: image,
    Entrypoint: job.argv.slice(0, 1),
    Cmd: job.argv.slice(1),
    Env: containerEnv(job, tmpDir, settings.hostEnv),
    WorkingDir: path.resolve(job.cwd),
    User: settings.user,
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: networkMode === 'none',
    Labels: labels,
    HostConfig: {
      Mounts: mounts,
      NetworkMode: networkMode,
      LogConfig: { Type: 'none', Config: {} },
      SecurityOpt: ['no-new-privileges:true'],
      ...resourceLimits(job.tool, overrides),
    },
  };
  return { name: containerName(job.id), body, mounts, networkMode };
}
