import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import type { ServerResponse } from 'node:http';
import { ApiError } from '../api-error.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** What the GUI's pages may load: only this server's own scripts, styles, images and API. */
export const GUI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/**
 * The GUI's files from one folder: `/` is `index.html`, other paths map to files below the folder.
 * A path with `..` segments, backslashes or NUL bytes (also percent-encoded) is FORBIDDEN before
 * any file is touched, and the resolved file must still lie inside the folder; unknown files and
 * types are NOT_FOUND. Files are read once and kept in memory.
 */
export class StaticFiles {
  private readonly cache = new Map<string, Buffer>();

  constructor(
    private readonly root: string,
    private readonly cacheFiles = true,
  ) {}

  async serve(pathname: string, response: ServerResponse, head = false): Promise<void> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      throw new ApiError('BAD_REQUEST', `malformed percent-encoding in path ${pathname}`);
    }
    if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) {
      throw new ApiError('FORBIDDEN', `path ${pathname} leaves the GUI folder`, { details: { path: pathname } });
    }
    const name = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = resolve(this.root, name);
    const inside = relative(this.root, file);
    if (inside.startsWith('..') || isAbsolute(inside))
      throw new ApiError('FORBIDDEN', `path ${pathname} leaves the GUI folder`, { details: { path: pathname } });
    const type = TYPES[extname(file).toLowerCase()];
    if (type === undefined) throw new ApiError('NOT_FOUND', `no file ${pathname}`, { details: { path: pathname } });
    const bytes = await this.read(file, pathname);
    response.writeHead(200, {
      'Content-Type': type,
      'Content-Length': bytes.length,
      'Cache-Control': 'no-cache',
      ...(type.startsWith('text/html') && { 'Content-Security-Policy': GUI_CSP }),
    });
    response.end(head ? undefined : bytes);
  }

  private async read(file: string, pathname: string): Promise<Buffer> {
    const cached = this.cache.get(file);
    if (cached !== undefined) return cached;
    const bytes = await readFile(file).catch(() => {
      throw new ApiError('NOT_FOUND', `no file ${pathname}`, { details: { path: pathname } });
    });
    if (this.cacheFiles) this.cache.set(file, bytes);
    return bytes;
  }
}
