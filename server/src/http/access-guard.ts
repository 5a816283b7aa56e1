import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../api-error.js';

/** The cookie the GUI carries the token in (set by `/?token=TOKEN`). */
export const TOKEN_COOKIE = 'bioimageit_token';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The token rule of `bioimageit serve`: a given token is always required; without one, a server
 * bound to loopback needs none and a server bound anywhere else gets a random 32-character token
 * (which the command prints), so that no network-reachable server runs without one.
 */
export function resolveAccess(host: string, token: string | undefined): { readonly token: string | undefined; readonly loopback: boolean } {
  const loopback = isLoopbackHost(host.toLowerCase());
  return { token: token ?? (loopback ? undefined : randomBytes(24).toString('base64url')), loopback };
}

/**
 * Who may talk to the server. With a token, every API request must carry it (`Authorization:
 * Bearer TOKEN` or the {@link TOKEN_COOKIE} cookie), compared in constant time. Bound to the
 * loopback interface, requests must also name a loopback Host, which defeats DNS rebinding (a web
 * page on another site whose name resolves to 127.0.0.1).
 */
export class AccessGuard {
  private readonly digest: Buffer | undefined;

  constructor(
    token: string | undefined,
    private readonly loopbackOnly: boolean,
  ) {
    this.digest = token === undefined ? undefined : sha256(token);
  }

  get tokenRequired(): boolean {
    return this.digest !== undefined;
  }

  /** FORBIDDEN when a loopback-bound server is reached under a non-loopback Host name. */
  checkHost(request: IncomingMessage): void {
    if (!this.loopbackOnly) return;
    const host = (request.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    if (!isLoopbackHost(host)) throw new ApiError('FORBIDDEN', `Host '${host || '(none)'}' is not this server's address (use 127.0.0.1 or localhost)`);
  }

  /** UNAUTHORIZED unless the request carries the token (when one is required). */
  checkToken(request: IncomingMessage): void {
    if (this.digest === undefined) return;
    const header = request.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const given = bearer ?? cookieValue(request.headers.cookie, TOKEN_COOKIE);
    if (given === undefined)
      throw new ApiError(
        'UNAUTHORIZED',
        'this server requires a token: send Authorization: Bearer TOKEN, or open the URL with ?token=TOKEN that bioimageit serve printed',
      );
    if (!this.matches(given)) throw new ApiError('UNAUTHORIZED', 'wrong token');
  }

  /** True when `given` is the token. */
  matches(given: string): boolean {
    return this.digest !== undefined && timingSafeEqual(sha256(given), this.digest);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
