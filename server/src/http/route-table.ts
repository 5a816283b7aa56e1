import { ApiError } from '../api-error.js';
import { pathParameterNames, type ApiRoute, type HttpMethod } from './api-route.js';

interface CompiledRoute {
  readonly route: ApiRoute;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/** A route matched against a request path, with its decoded path parameters. */
export interface RouteMatch {
  readonly route: ApiRoute;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Matches request paths against route templates. Routes are tried in the order given; a path
 * known under another method is METHOD_NOT_ALLOWED (405, naming the allowed methods), an unknown
 * path NOT_FOUND, a malformed percent-encoding BAD_REQUEST. Duplicate method+path pairs and
 * duplicate operation ids are rejected when the table is built.
 */
export class RouteTable {
  private readonly compiled: readonly CompiledRoute[];

  constructor(readonly routes: readonly ApiRoute[]) {
    const seen = new Set<string>();
    for (const route of routes) {
      for (const key of [`${route.method} ${route.path}`, route.operationId]) {
        if (seen.has(key)) throw new Error(`route table: '${key}' is declared twice`);
        seen.add(key);
      }
    }
    this.compiled = routes.map((route) => ({
      route,
      names: pathParameterNames(route.path),
      pattern: new RegExp(
        '^' +
          route.path
            .split(/\{[A-Za-z0-9_]+\}/)
            .map(escapeRegExp)
            .join('([^/]+)') +
          '$',
      ),
    }));
  }

  /** The route for `method` and `pathname` (still percent-encoded); throws ApiError otherwise. */
  match(method: string, pathname: string): RouteMatch {
    const allowed: HttpMethod[] = [];
    for (const { route, pattern, names } of this.compiled) {
      const m = pattern.exec(pathname);
      if (m === null) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      names.forEach((name, i) => (params[name] = decodeSegment(m[i + 1] as string, name)));
      return { route, params };
    }
    if (allowed.length > 0) {
      throw new ApiError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname} (allowed: ${allowed.join(', ')})`, { details: { allowed } });
    }
    throw new ApiError('NOT_FOUND', `no API endpoint ${method} ${pathname} (see /api/openapi.json)`, { details: { path: pathname } });
  }
}

function decodeSegment(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError('BAD_REQUEST', `path parameter '${name}' is not valid percent-encoding: ${segment}`, { details: { parameter: name } });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
