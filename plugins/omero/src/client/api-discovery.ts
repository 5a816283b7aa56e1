import { StorageError } from '@bioimageit/core';

/** Paths (below the server base) of the JSON API views the client needs. */
export interface ApiPaths {
  readonly login: string;
  readonly token: string;
  readonly servers: string;
  readonly save: string;
}

/** The OMERO server behind OMERO.web (`/api/v0/servers/`): login form id and Ice address. */
export interface IceServer {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/**
 * Discovers the JSON API as its docs say to: `GET /api/` → version `0` → `GET url:base` → the
 * token/login/servers/save links (taken as paths below `base`, since behind a proxy the links can
 * carry the wrong scheme or host) → `GET url:servers` for the server id. `get` is the client's
 * JSON GET. UNSUPPORTED without API version 0, CORRUPT when a link is missing.
 */
export async function discoverApi(base: URL, get: <T>(path: string) => Promise<T>): Promise<{ paths: ApiPaths; server: IceServer }> {
  const origin = base.origin;
  const relative = (url: string): string => {
    const path = new URL(url, base).pathname;
    const prefix = base.pathname.replace(/\/$/, '');
    return prefix !== '' && path.startsWith(prefix) ? path.slice(prefix.length) : path;
  };
  const versions = await get<{ data: { version: string; 'url:base': string }[] }>('/api/');
  const v0 = versions.data.find((v) => v.version === '0');
  if (!v0)
    throw new StorageError(
      'UNSUPPORTED',
      `OMERO.web ${origin} offers no JSON API version 0 (found ${versions.data.map((v) => v.version).join(', ') || 'none'})`,
      { details: { server: origin } },
    );
  const links = await get<Record<string, string>>(relative(v0['url:base']));
  const pick = (key: string): string => {
    const url = links[`url:${key}`];
    if (url === undefined) throw new StorageError('CORRUPT', `OMERO.web ${origin}: /api/v0/ lacks url:${key}`, { details: { server: origin } });
    return relative(url);
  };
  const paths = { login: pick('login'), token: pick('token'), servers: pick('servers'), save: pick('save') };
  const servers = await get<{ data: { id: number; host: string; port: number }[] }>(paths.servers);
  const first = servers.data[0];
  // `localhost` in the server list is the web server's own host, seen from the web server.
  const host = first === undefined || first.host === 'localhost' || first.host === '127.0.0.1' ? base.hostname : first.host;
  return { paths, server: { id: first?.id ?? 1, host, port: first?.port ?? 4064 } };
}
