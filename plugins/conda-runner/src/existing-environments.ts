import { stat } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '@bioimageit/core';
import type { CondaCommand } from './conda-command.js';
import { readLock, type LockedPackage } from './conda-lock.js';
import type { ExistingEnvironmentSpec } from './environment-spec.js';
import { findNamedEnvironment } from './named-environment.js';

/** An environment the runner uses as it is, and its packages now. */
export interface ExistingEnvironment {
  readonly prefix: string;
  readonly lock: readonly LockedPackage[];
}

/**
 * Environments a requirement names without packages (by name or by path), which the runner uses
 * but does not manage. A name is looked up once per runner (see `findNamedEnvironment`); the lock
 * is read again only when the prefix's `conda-meta` folder changed (someone installed into it),
 * so each job records what it really ran with at the cost of one `stat`.
 */
export class ExistingEnvironments {
  private readonly names = new Map<string, Promise<string>>();
  private readonly locks = new Map<string, { readonly mtimeMs: number; readonly lock: readonly LockedPackage[] }>();

  constructor(
    private readonly dirs: readonly string[],
    private readonly command: CondaCommand | undefined,
  ) {}

  /** The prefix and current lock of `spec`; RunnerError UNAVAILABLE (prefixed by `label`) when missing or not an environment. */
  async resolve(spec: ExistingEnvironmentSpec, label: string): Promise<ExistingEnvironment> {
    const prefix = spec.prefix ?? (await this.named(spec.name as string, label));
    const meta = await stat(path.join(prefix, 'conda-meta')).catch(() => undefined);
    const known = this.locks.get(prefix);
    if (meta !== undefined && known !== undefined && known.mtimeMs === meta.mtimeMs) return { prefix, lock: known.lock };
    const lock = await readLock(prefix).catch((cause: unknown) => {
      throw new RunnerError('UNAVAILABLE', `${label}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, details: { prefix } });
    });
    if (meta !== undefined) this.locks.set(prefix, { mtimeMs: meta.mtimeMs, lock });
    return { prefix, lock };
  }

  private named(name: string, label: string): Promise<string> {
    let found = this.names.get(name);
    if (found === undefined) {
      found = findNamedEnvironment(name, this.command, this.dirs, label);
      found.catch(() => this.names.delete(name));
      this.names.set(name, found);
    }
    return found;
  }
}
