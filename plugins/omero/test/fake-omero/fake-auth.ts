import { randomBytes, randomUUID } from 'node:crypto';
import { fixtureMessage } from './fixtures.js';
import type { FakeRequest } from './fake-http.js';

const CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomToken(length: number): string {
  return [...randomBytes(length)].map((b) => CHARS[b % CHARS.length]).join('');
}

/** Django's token masking: 32-char mask + secret shifted by the mask, 64 chars in all. */
export function maskSecret(secret: string): string {
  const mask = randomToken(32);
  const cipher = [...secret].map((c, i) => CHARS[(CHARS.indexOf(c) + CHARS.indexOf(mask[i]!)) % CHARS.length]).join('');
  return mask + cipher;
}

function unmask(token: string): string {
  const mask = token.slice(0, 32);
  return [...token.slice(32)].map((c, i) => CHARS[(CHARS.indexOf(c) - CHARS.indexOf(mask[i]!) + CHARS.length) % CHARS.length]).join('');
}

/** A user the fake accepts. */
export interface FakeUser {
  id: number;
  userName: string;
  password: string;
  firstName: string;
  lastName: string;
  groupId: number;
  memberOfGroups: number[];
}

interface Session {
  id: string;
  userId: number;
  uuid: string;
  lastSeen: number;
}

/**
 * Sessions and CSRF as OMERO.web 5.31 (Django 5.2) applies them: the CSRF cookie holds a 32-char
 * secret, the header may carry the secret or any 64-char masking of it; the OMERO session dies
 * after `idleMs` without requests.
 */
export class FakeAuth {
  private readonly sessions = new Map<string, Session>();
  readonly users = new Map<string, FakeUser>();

  constructor(
    public idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  newSecret(): string {
    return randomToken(32);
  }

  /**
   * The CSRF failure of an unsafe request, as the `{"message"}` of its 403, or undefined when it
   * passes. `secure` = the server sees the request as HTTPS (Referer rule applies).
   */
  csrfFailure(req: FakeRequest, secure: boolean, host: string): string | undefined {
    if (['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(req.method)) return undefined;
    if (secure && req.headers.origin === undefined) {
      const referer = req.headers.referer;
      if (referer === undefined) return fixtureMessage('csrf-403-no-referer');
      let parsed: URL;
      try {
        parsed = new URL(referer);
      } catch {
        return 'CSRF Failed: Referer checking failed - Referer is malformed.';
      }
      if (parsed.protocol !== 'https:') return 'CSRF Failed: Referer checking failed - Referer is insecure while host is secure.';
      if (parsed.host !== host) return `CSRF Failed: Referer checking failed - ${referer} does not match any trusted origins.`;
    }
    const secret = req.cookies['csrftoken'];
    if (secret === undefined) return fixtureMessage('csrf-403-cookie-not-set');
    if (secret.length !== 32) return 'CSRF Failed: CSRF cookie has incorrect length.';
    const header = req.headers['x-csrftoken'];
    const fromHeader = typeof header === 'string';
    const token = fromHeader ? header : (req.form.get('csrfmiddlewaretoken') ?? undefined);
    if (token === undefined || token === '') return fixtureMessage('csrf-403-token-missing');
    const where = fromHeader ? "the 'X-Csrftoken' HTTP header" : 'POST';
    if (token.length !== 32 && token.length !== 64) return `CSRF Failed: CSRF token from ${where} has incorrect length.`;
    if (!/^[A-Za-z0-9]+$/.test(token)) return `CSRF Failed: CSRF token from ${where} has invalid characters.`;
    if ((token.length === 64 ? unmask(token) : token) !== secret)
      return fromHeader ? fixtureMessage('csrf-403-token-incorrect') : 'CSRF Failed: CSRF token from POST incorrect.';
    return undefined;
  }

  /** The live session of a `sessionid`, refreshed; undefined when unknown or idle too long. */
  join(sessionId: string | undefined): FakeRequest['session'] {
    const s = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    if (s === undefined) return undefined;
    if (this.now() - s.lastSeen > this.idleMs) {
      this.sessions.delete(s.id);
      return undefined;
    }
    s.lastSeen = this.now();
    return { id: s.id, userId: s.userId, uuid: s.uuid };
  }

  /** Checks credentials (or an OMERO session key used as both, as QuPath re-logs in); a new session or undefined. */
  login(username: string, password: string): { session: Session; user: FakeUser } | undefined {
    const rejoin = [...this.sessions.values()].find((s) => s.uuid === username && username === password && this.now() - s.lastSeen <= this.idleMs);
    const user = rejoin ? [...this.users.values()].find((u) => u.id === rejoin.userId) : this.users.get(username);
    if (user === undefined || (!rejoin && user.password !== password)) return undefined;
    const session: Session = { id: randomToken(32).toLowerCase(), userId: user.id, uuid: rejoin?.uuid ?? randomUUID(), lastSeen: this.now() };
    this.sessions.set(session.id, session);
    return { session, user };
  }

  /** The session whose OMERO key is `uuid` (the fake `omero import -k` joins with it). */
  byKey(uuid: string): FakeRequest['session'] {
    const s = [...this.sessions.values()].find((x) => x.uuid === uuid && this.now() - x.lastSeen <= this.idleMs);
    return s && this.join(s.id);
  }

  /** Closes the OMERO session behind `sessionId`: every web session joined to it dies with it. */
  logout(sessionId: string): void {
    const uuid = this.sessions.get(sessionId)?.uuid;
    for (const [id, s] of this.sessions) if (s.uuid === uuid) this.sessions.delete(id);
  }

  /** Drops every session, as an OMERO server restart or a long idle would. */
  expireAll(): void {
    this.sessions.clear();
  }
}
