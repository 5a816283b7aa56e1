/**
 * Configuration of the local file backend. Bind it to tune the backend
 * (`bind(LocalFsOptions).toConstantValue({ lockTimeoutMs: 120_000 })`); every field is optional.
 */
export const LocalFsOptions = Symbol.for('@bioimageit/local-fs/LocalFsOptions');
export interface LocalFsOptions {
  /** How long a writer waits for another one's experiment lock before LOCKED (default 60 s). */
  readonly lockTimeoutMs?: number;
  /**
   * A lock file not refreshed for this long is stale and broken (default 120 s). Holders refresh
   * theirs every quarter of it, and a lock whose pid is dead on this host is stale at once, so
   * this matters only for holders on other hosts (network file systems) or frozen ones.
   */
  readonly lockStaleMs?: number;
  /** Flush data and metadata files before committing them (default true). */
  readonly fsync?: boolean;
  /** File operations in flight at once while importing or rebuilding (default 32). */
  readonly ioConcurrency?: number;
  /** Where the one line saying what was swept after a killed writer goes (default: stderr). */
  readonly log?: (line: string) => void;
}

/** {@link LocalFsOptions} with every default filled in. */
export interface ResolvedLocalFsOptions {
  readonly timeoutMs: number;
  readonly staleMs: number;
  readonly fsync: boolean;
  readonly ioConcurrency: number;
  readonly log: (line: string) => void;
}

/** Fills in the defaults of {@link LocalFsOptions}. */
export function resolveLocalFsOptions(options: LocalFsOptions = {}): ResolvedLocalFsOptions {
  return {
    timeoutMs: options.lockTimeoutMs ?? 60_000,
    staleMs: options.lockStaleMs ?? 120_000,
    fsync: options.fsync ?? true,
    ioConcurrency: Math.max(1, options.ioConcurrency ?? 32),
    log: options.log ?? ((line) => void process.stderr.write(`${line}\n`)),
  };
}
