import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { StorageError } from '@bioimageit/core';
import type { OmeroCredentials } from './client/omero-client.js';
import type { RetryPolicy } from './client/retry-policy.js';

/**
 * Configuration of the OMERO plugin. TypeScript users bind it
 * (`bind(OmeroOptions).toConstantValue({ servers: { 'omero.example.org': 'https://omero.example.org' } })`);
 * otherwise every field comes from the environment (see {@link resolveOmeroOptions}).
 */
export const OmeroOptions = Symbol.for('@bioimageit/omero/OmeroOptions');
export interface OmeroOptions {
  /** OMERO.web base URL per `host[:port]` of `omero:` URIs (default `https://host[:port]`, or the URL saved by `bioimageit omero login`). */
  readonly servers?: Readonly<Record<string, string>>;
  /** Where downloaded images and files are cached, and job staging folders made. */
  readonly cacheDir?: string;
  /** The 0600 file holding session keys saved by `bioimageit omero login`. */
  readonly sessionFile?: string;
  /** Asked when a login is needed; default: BIOIMAGEIT_OMERO_USER / BIOIMAGEIT_OMERO_PASSWORD. */
  readonly credentials?: (server: string) => Promise<OmeroCredentials | undefined>;
  /** The OMERO CLI for imports (argv prefix or path); `false` disables importing; default BIOIMAGEIT_OMERO_CLI or `omero` on PATH. */
  readonly omeroCli?: string | readonly string[] | false;
  /** OMERO group to list and create in (default: every readable group for lists, the user's default group for creation). */
  readonly group?: number;
  /** Requests in flight at once while paging or annotating (default 4). */
  readonly concurrency?: number;
  /** Object ids per annotation request (default 200). */
  readonly annotationBatch?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Extra CA certificates (PEM text) to trust. TLS verification is always on unless `insecureTls`. */
  readonly ca?: string;
  /** Turns TLS verification off (never by default). */
  readonly insecureTls?: boolean;
  /** Longest silence one try of a request waits through, in ms (default 120 s). */
  readonly timeoutMs?: number;
  /** Total time one request may take, retries included, in ms (default 120 s; `BIOIMAGEIT_OMERO_TIMEOUT` in seconds). */
  readonly deadlineMs?: number;
  /** Environment to read defaults from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/** {@link OmeroOptions} with defaults filled in. */
export interface ResolvedOmeroOptions extends Omit<OmeroOptions, 'cacheDir' | 'sessionFile' | 'env' | 'credentials'> {
  readonly cacheDir: string;
  readonly sessionFile: string;
  readonly env: NodeJS.ProcessEnv;
  readonly credentials: (server: string) => Promise<OmeroCredentials | undefined>;
}

/**
 * Fills defaults from the environment: `BIOIMAGEIT_OMERO_USER` + `BIOIMAGEIT_OMERO_PASSWORD`
 * (credentials), `BIOIMAGEIT_OMERO_SESSION_FILE` (default `$XDG_CONFIG_HOME/bioimageit/omero-sessions.json`),
 * `BIOIMAGEIT_OMERO_CACHE` (default `$XDG_CACHE_HOME/bioimageit/omero`), `BIOIMAGEIT_OMERO_GROUP`,
 * `BIOIMAGEIT_OMERO_SERVERS` (comma-separated OMERO.web URLs, for servers not on https or under a prefix),
 * `BIOIMAGEIT_OMERO_CA_FILE` (PEM certificates to trust besides the system's; an unreadable file
 * is a StorageError INVALID naming it), `BIOIMAGEIT_OMERO_TIMEOUT` (seconds one request may take,
 * retries included; not a positive number: StorageError INVALID naming it).
 */
export function resolveOmeroOptions(options: OmeroOptions = {}): ResolvedOmeroOptions {
  const env = options.env ?? process.env;
  const home = env['HOME'] || homedir();
  const config = env['XDG_CONFIG_HOME'] || path.join(home, '.config');
  const cache = env['XDG_CACHE_HOME'] || path.join(home, '.cache');
  const servers = { ...serversFromEnv(env['BIOIMAGEIT_OMERO_SERVERS']), ...options.servers };
  const caFile = env['BIOIMAGEIT_OMERO_CA_FILE'];
  const ca = options.ca ?? (caFile ? readCa(caFile) : undefined);
  const group = options.group ?? (env['BIOIMAGEIT_OMERO_GROUP'] ? Number(env['BIOIMAGEIT_OMERO_GROUP']) : undefined);
  const deadlineMs = options.deadlineMs ?? deadlineFromEnv(env['BIOIMAGEIT_OMERO_TIMEOUT']);
  const fromEnv = async (): Promise<OmeroCredentials | undefined> => {
    const username = env['BIOIMAGEIT_OMERO_USER'];
    const password = env['BIOIMAGEIT_OMERO_PASSWORD'];
    return username && password ? { username, password } : undefined;
  };
  return {
    ...options,
    env,
    cacheDir: options.cacheDir ?? (env['BIOIMAGEIT_OMERO_CACHE'] || path.join(cache, 'bioimageit', 'omero')),
    sessionFile: options.sessionFile ?? (env['BIOIMAGEIT_OMERO_SESSION_FILE'] || path.join(config, 'bioimageit', 'omero-sessions.json')),
    credentials: options.credentials ?? fromEnv,
    ...(Object.keys(servers).length > 0 && { servers }),
    ...(ca !== undefined && { ca }),
    ...(deadlineMs !== undefined && { deadlineMs }),
    ...(group !== undefined && Number.isInteger(group) && { group }),
  };
}

/** `BIOIMAGEIT_OMERO_TIMEOUT` (seconds, may be fractional) in ms; unset or empty: the default. */
function deadlineFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new StorageError('INVALID', `BIOIMAGEIT_OMERO_TIMEOUT must be a positive number of seconds, not '${value}'`, {
      details: { setting: 'BIOIMAGEIT_OMERO_TIMEOUT', value },
    });
  }
  return Math.round(seconds * 1000);
}

/** `host[:port]` → URL of each comma-separated OMERO.web URL (bad entries are skipped). */
function serversFromEnv(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    try {
      out[new URL(entry).host.toLowerCase()] = entry.replace(/\/+$/, '');
    } catch {
      /* not a URL */
    }
  }
  return out;
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new StorageError('INVALID', `BIOIMAGEIT_OMERO_CA_FILE ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      details: { file },
    });
  }
}
