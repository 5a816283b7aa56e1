import { resolve } from 'node:path';
import type { Kernel } from '@bioimageit/core';
import { ApiError } from './api-error.js';
import { startServer, type RunningServer } from './start-server.js';

/** Flags of `bioimageit serve`, as commander parses them. */
export interface ServeFlags {
  readonly host: string;
  readonly port: string;
  readonly token?: string;
  readonly experiment?: readonly string[];
  /** `NAME=PATH` folders clients may import from (repeatable `--import-root`). */
  readonly importRoot?: readonly string[];
}

/** What the command needs from its host (the CLI): the kernel, where to print, and when to stop. */
export interface ServeHost {
  readonly kernel: Kernel;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  /** Resolves when the server should stop (the CLI: SIGINT or SIGTERM). */
  readonly stopped: Promise<unknown>;
}

/**
 * The body of `bioimageit serve`: starts the server on the kernel's workspace (plus `-e`
 * experiments, paths resolved against the current folder), prints the address to open (with the
 * token when one is required: `--token`, `BIOIMAGEIT_SERVE_TOKEN`, or a random one off loopback;
 * bound to every interface, `127.0.0.1` and then the machine's name and addresses for other machines),
 * serves until `host.stopped` resolves, then closes the server (running runs are cancelled).
 * Throws ApiError BAD_REQUEST for a malformed port or `--import-root`.
 */
export async function serveCommandAction(flags: ServeFlags, host: ServeHost): Promise<RunningServer> {
  if (!/^\d{1,5}$/.test(flags.port)) throw new ApiError('BAD_REQUEST', `--port must be a number 0..65535 (got '${flags.port}')`);
  const experiments = (flags.experiment ?? []).map((ref) => (ref.startsWith('.') || ref.includes('/') ? resolve(host.cwd, ref) : ref));
  const token = flags.token ?? (host.env['BIOIMAGEIT_SERVE_TOKEN'] || undefined);
  const importRoots = parseImportRoots(flags.importRoot ?? [], host.cwd);
  const server = await startServer({
    kernel: host.kernel,
    host: flags.host,
    port: Number(flags.port),
    experiments,
    importRoots,
    ...(token !== undefined && { token }),
  });
  const count = (await server.context.catalog.list()).length;
  host.out(`BioImageIT serving ${count} experiment${count === 1 ? '' : 's'} at ${server.openUrl}`);
  if (server.networkUrls.length > 0 && !(server.networkUrls.length === 1 && server.networkUrls[0] === server.openUrl))
    host.out(`From other machines: ${server.networkUrls.join(' or ')}`);
  if (server.token !== undefined) host.out('API clients send the header: Authorization: Bearer <token> (the token is in the address above)');
  host.out(`REST API: ${server.url}api (OpenAPI: ${server.url}api/openapi.json). Press Ctrl-C to stop.`);
  await host.stopped;
  await server.close();
  return server;
}

/**
 * `--import-root NAME=PATH` values as an object (paths resolved against `cwd`); ApiError
 * BAD_REQUEST naming a value without `=`, and a name given twice.
 */
export function parseImportRoots(values: readonly string[], cwd: string): Record<string, string> {
  const roots: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const name = eq < 0 ? '' : value.slice(0, eq).trim();
    const path = eq < 0 ? '' : value.slice(eq + 1).trim();
    if (name === '' || path === '') throw new ApiError('BAD_REQUEST', `--import-root expects NAME=PATH (got '${value}')`);
    if (roots[name] !== undefined) throw new ApiError('BAD_REQUEST', `--import-root ${name} is given twice`);
    roots[name] = resolve(cwd, path);
  }
  return roots;
}
