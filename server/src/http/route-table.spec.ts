import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.js';
import type { ApiRoute } from './api-route.js';
import { RouteTable } from './route-table.js';

const route = (method: ApiRoute['method'], path: string, operationId: string): ApiRoute => ({
  method,
  path,
  operationId,
  summary: operationId,
  tag: 't',
  responses: { 200: { description: 'ok' } },
  handle: async () => ({ json: operationId }),
});

const table = new RouteTable([
  route('GET', '/api/experiments', 'list'),
  route('GET', '/api/experiments/{experiment}/items/{item}', 'item'),
  route('PATCH', '/api/experiments/{experiment}/items/{item}/tags', 'tags'),
  route('GET', '/api/experiments/{experiment}/items/{item}/preview.png', 'preview'),
]);

const failure = (method: string, path: string) => {
  try {
    table.match(method, path);
  } catch (error) {
    return error instanceof ApiError ? { code: error.code, message: error.message } : error;
  }
  return undefined;
};

describe('RouteTable', () => {
  it('matches templates and decodes path parameters', () => {
    const hit = table.match('GET', '/api/experiments/e%201/items/a%2Fb');
    expect(hit.route.operationId).toBe('item');
    expect(hit.params).toEqual({ experiment: 'e 1', item: 'a/b' });
    expect(table.match('GET', '/api/experiments/e/items/i/preview.png').route.operationId).toBe('preview');
    expect(failure('GET', '/api/experiments/e/items/i/previewXpng')).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers unknown paths NOT_FOUND and known paths with another method METHOD_NOT_ALLOWED', () => {
    expect(failure('GET', '/api/nope')).toEqual({ code: 'NOT_FOUND', message: 'no API endpoint GET /api/nope (see /api/openapi.json)' });
    expect(failure('DELETE', '/api/experiments/e/items/i/tags')).toEqual({
      code: 'METHOD_NOT_ALLOWED',
      message: 'DELETE is not allowed on /api/experiments/e/items/i/tags (allowed: PATCH)',
    });
    expect(failure('GET', '/api/experiments//items/i')).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rejects malformed percent-encoding as a bad request', () => {
    expect(failure('GET', '/api/experiments/%E0%A4%A/items/i')).toEqual({
      code: 'BAD_REQUEST',
      message: "path parameter 'experiment' is not valid percent-encoding: %E0%A4%A",
    });
  });

  it('refuses duplicate routes and operation ids', () => {
    expect(() => new RouteTable([route('GET', '/a', 'x'), route('GET', '/a', 'y')])).toThrow("'GET /a' is declared twice");
    expect(() => new RouteTable([route('GET', '/a', 'x'), route('GET', '/b', 'x')])).toThrow("'x' is declared twice");
  });
});
