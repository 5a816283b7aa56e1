import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '@bioimageit/core';
import { sbatchOptions } from './job-script.js';
import { shellQuote } from './shell-quote.js';
import type { SlurmCli } from './slurm-cli.js';
import type { SlurmMonitor } from './slurm-monitor.js';
import type { SlurmSettings } from './slurm-settings.js';
import { isTerminalState, type QueueEntry } from './slurm-state.js';

/** Folders of input files checked by one probe at most (the rest are assumed alike). */
const MAX_FILE_DIRS = 16;

/** True when `inner` is `outer` or inside it. */
function within(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Resolves with a job's last entry once it reached a terminal state (`undefined`: the controller forgot it). */
export function waitForJobEnd(monitor: SlurmMonitor, key: string): Promise<QueueEntry | undefined> {
  return new Promise((resolve, reject) => {
    const stop = monitor.watch(key, (seen) => {
      if ('error' in seen) {
        stop();
        reject(seen.error);
      } else if ('missing' in seen) {
        stop();
        resolve(undefined);
      } else if (isTerminalState(seen.entry.state)) {
        stop();
        resolve(seen.entry);
      }
    });
  });
}

/**
 * Checks, with a real job, that a folder of this machine is the same folder on the compute nodes:
 * writes a random token into `<folder>/.bioimageit-slurm-probe-*`, submits a job that prints it back
 * (and tests that sample input files are readable there), and compares. A folder that passed (and
 * everything inside it) is not probed again by this runner. When the folder lies inside the
 * workspace, the whole workspace is probed once instead.
 *
 * Errors: RunnerError UNAVAILABLE naming the folder (or the unreadable files) and how the probe
 * job ended; sbatch's own message when nothing can be submitted at all.
 */
export class WorkspaceProbe {
  private readonly verified: string[] = [];
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly cli: Pick<SlurmCli, 'submit'>,
    private readonly monitor: SlurmMonitor,
    private readonly settings: SlurmSettings,
    private readonly workspace?: string,
  ) {}

  /** True when `folder` was verified (itself or a folder holding it). */
  isVerified(folder: string): boolean {
    const resolved = path.resolve(folder);
    return this.verified.some((v) => within(v, resolved));
  }

  /** Resolves once `folder` is known to be visible to jobs and `files` readable by them. */
  async ensureVisible(folder: string, files: readonly string[] = []): Promise<void> {
    const resolved = path.resolve(folder);
    const target = this.workspace !== undefined && within(path.resolve(this.workspace), resolved) ? path.resolve(this.workspace) : resolved;
    const unchecked = new Map<string, string>();
    for (const file of files) {
      const dir = path.dirname(path.resolve(file));
      if (!this.isVerified(dir) && !within(target, dir) && !unchecked.has(dir)) unchecked.set(dir, path.resolve(file));
    }
    const samples = [...unchecked.entries()].slice(0, MAX_FILE_DIRS);
    if (this.isVerified(resolved) && samples.length === 0) return;
    const key = [target, ...samples.map(([dir]) => dir)].join('\0');
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.probe(target, samples).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    await pending;
  }

  private async probe(target: string, samples: readonly (readonly [string, string])[]): Promise<void> {
    const dir = await mkdtemp(path.join(target, '.bioimageit-slurm-probe-')).catch((error: unknown) => {
      throw new RunnerError('UNAVAILABLE', `cannot write into '${target}' to check that SLURM jobs see it: ${(error as Error).message}`, {
        cause: error,
        details: { folder: target },
      });
    });
    try {
      const token = randomUUID();
      await writeFile(path.join(dir, 'token'), `${token}\n`);
      const checks = samples.map(([, file], i) => `test -r ${shellQuote(file)} || echo "unreadable ${i}"`);
      const script = path.join(dir, 'probe.sh');
      await writeFile(script, ['#!/bin/sh', `cat -- ${shellQuote(path.join(dir, 'token'))} || exit 3`, ...checks, ''].join('\n'), { mode: 0o755 });
      const options = sbatchOptions({
        name: 'workspace-probe',
        dir,
        tasks: [{ cwd: dir, argv: [], env: {} }],
        array: false,
        resources: { timeLimitMinutes: 5 },
        settings: this.settings,
      });
      const jobId = await this.cli.submit(script, options).catch((error: unknown) => {
        throw new RunnerError('UNAVAILABLE', `cannot check that '${target}' is visible to SLURM jobs: ${(error as Error).message}`, {
          cause: error,
          details: { folder: target },
        });
      });
      this.monitor.soon();
      const end = await waitForJobEnd(this.monitor, jobId);
      const out = await readFile(path.join(dir, 'job.out'), 'utf8').catch(() => '');
      const err = (await readFile(path.join(dir, 'job.err'), 'utf8').catch(() => '')).trim().split('\n')[0] ?? '';
      const [first, ...rest] = out.split('\n');
      if (first !== token) {
        const how = end === undefined ? 'its end was not seen' : `it ended ${end.state}${end.reason !== '' && end.reason !== 'None' ? ` (${end.reason})` : ''}`;
        throw new RunnerError(
          'UNAVAILABLE',
          `the folder '${target}' is not visible to SLURM jobs: probe job ${jobId} could not read back what this machine wrote there (${how}${err === '' ? '' : `; ${err}`}). Put the workspace on a file system shared with the compute nodes`,
          { details: { folder: target, probeJobId: jobId, state: end?.state } },
        );
      }
      const unreadable = rest.flatMap((line) => {
        const match = /^unreadable (\d+)$/.exec(line.trim());
        return match === null ? [] : [samples[Number(match[1])]?.[1] ?? '?'];
      });
      if (unreadable.length > 0) {
        throw new RunnerError('UNAVAILABLE', `input files are not readable by SLURM jobs (probe job ${jobId}): ${unreadable.join(', ')}`, {
          details: { files: unreadable, probeJobId: jobId },
        });
      }
      this.verified.push(target, ...samples.map(([d]) => d));
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
