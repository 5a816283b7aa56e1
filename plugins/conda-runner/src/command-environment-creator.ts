import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '@bioimageit/core';
import { writeStateVariables } from './activation.js';
import { runArgv, type CondaCommand } from './conda-command.js';
import type { CreationPaths, CreationReport, EnvironmentCreator } from './environment-creator.js';
import type { SolvedEnvironmentSpec } from './environment-spec.js';

/** The spec a conda command's failure output says cannot be satisfied, when it says so. */
export function commandUnsatisfiable(output: string): string | undefined {
  const patterns = [
    /nothing provides requested (\S+(?: \S+)?)/, // micromamba / mamba
    /PackagesNotFoundError:[\s\S]*?\n\s*-\s*(\S+)/, // conda
    /No candidates were found for (.+?)\.?\s*$/m,
    /[└├]─ (.+?) does not exist/,
  ];
  for (const pattern of patterns) {
    const hit = pattern.exec(output)?.[1]?.trim();
    if (hit !== undefined && hit !== '') return hit;
  }
  return undefined;
}

/** An environment file with the spec's channels, packages and pip packages (for `create -f`). */
function environmentYaml(spec: SolvedEnvironmentSpec): string {
  const quote = (s: string): string => JSON.stringify(s);
  const lines = ['channels:', ...spec.channels.map((c) => `  - ${quote(c)}`), '  - nodefaults', 'dependencies:', ...spec.specs.map((s) => `  - ${quote(s)}`)];
  if (spec.pip.length > 0) lines.push('  - pip:', ...spec.pip.map((p) => `    - ${quote(p)}`));
  return `${lines.join('\n')}\n`;
}

/**
 * Creates environments with a real conda-compatible command: `create --yes -p PREFIX
 * --override-channels -c CHANNEL... SPEC...` (or `-f environment.yml` when pip packages are
 * involved), then runs `init` through `run -p PREFIX`. The command's output goes to
 * `create.log` in the staging folder; a failure is a RunnerError UNAVAILABLE with its last lines
 * and, when the output says so, the package that cannot be satisfied (`details.package`).
 */
export class CommandEnvironmentCreator implements EnvironmentCreator {
  readonly kind = 'command' as const;

  constructor(
    private readonly command: CondaCommand,
    private readonly hostEnv: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

  async describe(): Promise<string> {
    return `${path.basename(this.command.path)} ${this.command.version} (${this.command.path})`;
  }

  async create(spec: SolvedEnvironmentSpec, paths: CreationPaths, report: CreationReport, label: string, signal?: AbortSignal): Promise<void> {
    const log = path.join(paths.staging, 'create.log');
    let argv: string[];
    if (spec.pip.length > 0) {
      const file = path.join(paths.staging, 'environment.yml');
      await writeFile(file, environmentYaml(spec));
      argv =
        this.command.flavour === 'conda'
          ? [this.command.path, 'env', 'create', '-p', paths.prefix, '-f', file]
          : [this.command.path, 'create', '--yes', '-p', paths.prefix, '-f', file];
    } else {
      argv = [this.command.path, 'create', '--yes', '-p', paths.prefix, '--override-channels', ...spec.channels.flatMap((c) => ['-c', c]), ...spec.specs];
    }
    report('solving', `${path.basename(this.command.path)} create -p ${paths.prefix}`);
    await this.execute(argv, log, label, spec, signal);
    if (spec.variables !== undefined) await writeStateVariables(paths.prefix, spec.variables);
    if (spec.init !== undefined) {
      report('initializing', `running init: ${spec.init}`);
      await this.execute(runArgv(this.command, paths.prefix, spec.init.split(/\s+/)), log, label, spec, signal);
    }
  }

  private execute(argv: readonly string[], log: string, label: string, spec: SolvedEnvironmentSpec, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const out = createWriteStream(log, { flags: 'a' });
      const env = { ...this.hostEnv } as NodeJS.ProcessEnv;
      const child = spawn(argv[0] as string, argv.slice(1), {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(signal !== undefined && { signal, killSignal: 'SIGTERM' as const }),
      });
      let tail = '';
      const keep = (chunk: Buffer): void => {
        out.write(chunk);
        tail = (tail + chunk.toString()).slice(-4000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const fail = (why: string, cause?: unknown): void => {
        out.end();
        const culprit = commandUnsatisfiable(tail);
        const head = culprit === undefined ? '' : `'${culprit}' cannot be satisfied: `;
        reject(
          new RunnerError(
            'UNAVAILABLE',
            `${label}: ${path.basename(argv[0] as string)} ${argv[1]} failed (${why}): ${head}${tail.trim().split('\n').slice(-6).join(' | ')}`,
            {
              cause,
              details: { command: argv.slice(0, 2), specs: spec.specs, channels: spec.channels, ...(culprit !== undefined && { package: culprit }) },
            },
          ),
        );
      };
      child.once('error', (e) => (signal?.aborted === true ? (out.end(), reject(signal.reason)) : fail(`cannot start: ${e.message}`, e)));
      const aborted = signal;
      child.once('exit', (code, exitSignal) => {
        if (code === 0) out.end(() => resolve());
        else if (aborted?.aborted === true) out.end(() => reject(aborted.reason));
        else fail(exitSignal ?? `exit code ${code}`);
      });
    });
  }
}
