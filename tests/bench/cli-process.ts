/**
 * Whole-process measurements for bench-cli: spawns `node [--require PRELOAD] ARGS…`, times it from
 * spawn to exit, and reads the child's peak RSS, without /usr/bin/time (a bare Debian root has none).
 *
 * The preload (a CommonJS file passed with `--require`, which costs the child well under a
 * millisecond) writes `process.resourceUsage().maxRSS` (KiB, the kernel's high-water mark of the
 * process, worker threads included) to fd 3 at exit; the parent opens fd 3 as a pipe. A child
 * killed on timeout never reaches its exit handler, so on Linux the parent also samples
 * `/proc/PID/status` (VmHWM) while the child runs; that sample is a lower bound of the peak.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface ProcessResult {
  /** Wall milliseconds from spawn to the child's exit. */
  readonly ms: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set of the child in KiB (undefined when neither the preload nor /proc told). */
  readonly maxRssKiB?: number;
  /** True when maxRssKiB is only a sample taken while the child ran (it was killed or its preload did not report). */
  readonly rssSampled: boolean;
  readonly timedOut: boolean;
}

export interface ProcessSample {
  readonly seconds: number;
  /** Current and peak resident set in KiB, from /proc (undefined off Linux). */
  readonly rssKiB?: number;
  readonly peakKiB?: number;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The preload file written by {@link writeRssPreload}; without it only /proc samples give RSS. */
  readonly preload?: string;
  /** Kill the child (SIGTERM, then SIGKILL 10 s later) after this many ms. */
  readonly timeoutMs?: number;
  /** Called every `tickMs` while the child runs (progress lines). */
  readonly onTick?: (sample: ProcessSample) => void | Promise<void>;
  readonly tickMs?: number;
  /** Copy the child's stderr to ours as it comes. */
  readonly echoStderr?: boolean;
}

const PRELOAD = `'use strict';
// Written by tests/bench/bench-cli.ts: reports this process's peak RSS (KiB) on fd 3 at exit.
const { isMainThread } = require('node:worker_threads');
if (isMainThread) {
  process.on('exit', () => {
    try {
      require('node:fs').writeSync(3, JSON.stringify({ maxRSS: process.resourceUsage().maxRSS }) + '\\n');
    } catch {
      // fd 3 is not ours to write (run without the bench): say nothing.
    }
  });
}
`;

/** Writes the RSS preload into `dir` and returns its path (pass it as {@link RunOptions.preload}). */
export async function writeRssPreload(dir: string): Promise<string> {
  const file = join(dir, 'rss-preload.cjs');
  await writeFile(file, PRELOAD);
  return file;
}

/** Current and peak RSS (KiB) of a live process, from /proc; undefined off Linux or once it is gone. */
export function procRss(pid: number): { rssKiB: number; peakKiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const rssKiB = kib('VmRSS');
    const peakKiB = kib('VmHWM');
    return Number.isNaN(rssKiB) || Number.isNaN(peakKiB) ? undefined : { rssKiB, peakKiB };
  } catch {
    return undefined;
  }
}

/** Runs `node [--require preload] ...nodeArgs` to its end (or timeout) and measures it. */
export function runNode(nodeArgs: readonly string[], options: RunOptions): Promise<ProcessResult> {
  const argv = [...(options.preload === undefined ? [] : ['--require', options.preload]), ...nodeArgs];
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const report: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      err.push(chunk);
      if (options.echoStderr) process.stderr.write(chunk);
    });
    const fd3 = child.stdio[3];
    if (fd3 !== null && fd3 !== undefined && 'on' in fd3) fd3.on('data', (chunk: Buffer) => report.push(chunk));
    let end: number | undefined;
    let timedOut = false;
    let sampledPeak: number | undefined;
    const sample = () => {
      const rss = child.pid === undefined ? undefined : procRss(child.pid);
      if (rss !== undefined) sampledPeak = Math.max(sampledPeak ?? 0, rss.peakKiB);
      return rss;
    };
    const ticker =
      options.onTick === undefined
        ? undefined
        : setInterval(() => {
            const rss = sample();
            void options.onTick?.({ seconds: (performance.now() - start) / 1000, ...(rss !== undefined && rss) });
          }, options.tickMs ?? 10_000);
    let killer: NodeJS.Timeout | undefined;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            sample();
            child.kill('SIGTERM');
            killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          }, options.timeoutMs);
    child.on('error', (e) => {
      clearInterval(ticker);
      clearTimeout(timer);
      clearTimeout(killer);
      reject(e);
    });
    child.on('exit', () => {
      end = performance.now();
    });
    child.on('close', (code, signal) => {
      clearInterval(ticker);
      clearTimeout(timer);
      clearTimeout(killer);
      const lines = Buffer.concat(report).toString('utf8').trim().split('\n');
      let maxRss: number | undefined;
      try {
        maxRss = (JSON.parse(lines[lines.length - 1] ?? '') as { maxRSS?: number }).maxRSS;
      } catch {
        maxRss = undefined;
      }
      resolve({
        ms: (end ?? performance.now()) - start,
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ...((maxRss ?? sampledPeak) !== undefined && { maxRssKiB: maxRss ?? sampledPeak }),
        rssSampled: maxRss === undefined,
        timedOut,
      });
    });
  });
}
