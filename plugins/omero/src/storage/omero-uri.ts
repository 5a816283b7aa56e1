import { StorageError } from '@bioimageit/core';

/** What an `omero:` URI names. */
export interface OmeroRef {
  /** `host[:port]` of the OMERO.web server, lower case. */
  readonly server: string;
  /** `project`, `dataset`, `image`, `annotation`, `group`, or undefined for the server itself. */
  readonly kind?: string;
  readonly id?: number;
  /** Path segments after the id (`/runs/run-1`). */
  readonly rest: readonly string[];
}

/**
 * Parses `omero://host[:port][/kind/ID[/...]]`. A malformed id is NOT_FOUND (no such object), a
 * URI of another scheme or without host is INVALID.
 */
export function parseOmeroUri(uri: string): OmeroRef {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new StorageError('INVALID', `'${uri}' is not an OMERO URI (omero://host[:port]/project/ID)`, { details: { uri } });
  }
  if (url.protocol !== 'omero:' || url.host === '')
    throw new StorageError('INVALID', `'${uri}' is not an OMERO URI (omero://host[:port]/project/ID)`, { details: { uri } });
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  if (segments.length === 0) return { server: url.host.toLowerCase(), rest: [] };
  const [kind, id, ...rest] = segments;
  if (id === undefined || !/^\d+$/.test(id))
    throw new StorageError('NOT_FOUND', `no OMERO ${kind ?? 'object'} at ${uri} (expected omero://host[:port]/${kind ?? 'project'}/ID)`, { details: { uri } });
  return { server: url.host.toLowerCase(), kind, id: Number(id), rest };
}

/** `omero://server/kind/id`. */
export function omeroUri(server: string, kind: string, id: number, ...rest: string[]): string {
  return `omero://${server}/${kind}/${id}${rest.map((r) => `/${encodeURIComponent(r)}`).join('')}`;
}

/** The `host:port` key of an http(s) base URL, as it appears in `omero:` URIs. */
export function serverKey(baseUrl: string): string {
  return new URL(baseUrl).host.toLowerCase();
}
