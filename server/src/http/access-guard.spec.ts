import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.js';
import { AccessGuard, isLoopbackHost, resolveAccess, TOKEN_COOKIE } from './access-guard.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const codeOf = (f: () => void) => {
  try {
    f();
    return 'ok';
  } catch (error) {
    return error instanceof ApiError ? error.code : 'other';
  }
};

describe('resolveAccess', () => {
  it('needs no token on loopback, and makes one for any other address', () => {
    expect(resolveAccess('127.0.0.1', undefined)).toEqual({ token: undefined, loopback: true });
    expect(resolveAccess('localhost', undefined).token).toBeUndefined();
    const remote = resolveAccess('0.0.0.0', undefined);
    expect(remote.loopback).toBe(false);
    expect(remote.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(resolveAccess('0.0.0.0', undefined).token).not.toBe(remote.token);
    expect(resolveAccess('192.168.1.5', 'given-token').token).toBe('given-token');
    expect(resolveAccess('127.0.0.1', 'given-token').token).toBe('given-token');
  });

  it('knows loopback names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', 'example.org', '127.0.0.1.evil.com', '::']) expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('AccessGuard', () => {
  it('accepts the token as a bearer header or the cookie, and nothing else', () => {
    const guard = new AccessGuard('s3cret-token', false);
    expect(codeOf(() => guard.checkToken(request({})))).toBe('UNAUTHORIZED');
    expect(codeOf(() => guard.checkToken(request({ authorization: 'Bearer wrong' })))).toBe('UNAUTHORIZED');
    expect(codeOf(() => guard.checkToken(request({ authorization: 'Bearer s3cret-token' })))).toBe('ok');
    expect(codeOf(() => guard.checkToken(request({ cookie: `a=b; ${TOKEN_COOKIE}=s3cret-token` })))).toBe('ok');
    expect(codeOf(() => guard.checkToken(request({ cookie: `${TOKEN_COOKIE}=%E0%A4%A` })))).toBe('UNAUTHORIZED');
    expect(codeOf(() => new AccessGuard(undefined, true).checkToken(request({})))).toBe('ok');
  });

  it('refuses foreign Host names only when bound to loopback', () => {
    const local = new AccessGuard(undefined, true);
    expect(codeOf(() => local.checkHost(request({ host: '127.0.0.1:8765' })))).toBe('ok');
    expect(codeOf(() => local.checkHost(request({ host: 'localhost' })))).toBe('ok');
    expect(codeOf(() => local.checkHost(request({ host: '[::1]:8765' })))).toBe('ok');
    expect(codeOf(() => local.checkHost(request({ host: 'attacker.example:8765' })))).toBe('FORBIDDEN');
    expect(codeOf(() => local.checkHost(request({})))).toBe('FORBIDDEN');
    expect(codeOf(() => new AccessGuard('t0ken-token', false).checkHost(request({ host: 'lab-server.example' })))).toBe('ok');
  });
});
