import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bare specifiers (and their subpaths) a plugin always resolves to the host's copy of. */
export const SHARED_WITH_PLUGINS: readonly string[] = ['@bioimageit/core', 'inversify'];

/** What the resolver needs from Node (passed in, so the function also runs as the source of a `data:` URL module). */
interface ResolverDeps {
  readonly readFileSync: (path: string, encoding: 'utf8') => string;
  readonly dirname: (path: string) => string;
  readonly join: (...parts: string[]) => string;
  readonly fileURLToPath: (url: string) => string;
}

type Next = (specifier: string, context: { parentURL?: string }) => unknown;

/**
 * A module `resolve` hook: a specifier named in `shared`, imported by a file whose package
 * (nearest package.json with a `name`) has a `bioimageit` manifest, resolves as if the import were
 * written in the host's core (`host`), so the plugin gets the host's one copy of core and
 * inversify wherever its folder lies and whatever its own node_modules holds (a copy installed
 * for its tests, or none). Self-contained (only its parameters): its source is also the hook of
 * `module.register` on Node 20.
 */
function createSharingResolve(host: string, shared: readonly string[], deps: ResolverDeps) {
  const pluginDirs = new Map<string, boolean>();
  const readPackage = (dir: string): { name?: unknown; bioimageit?: unknown } | undefined => {
    try {
      return JSON.parse(deps.readFileSync(deps.join(dir, 'package.json'), 'utf8')) as { name?: unknown; bioimageit?: unknown };
    } catch {
      return undefined;
    }
  };
  const inPlugin = (url: string | undefined): boolean => {
    if (typeof url !== 'string' || !url.startsWith('file:')) return false;
    let dir = deps.dirname(deps.fileURLToPath(url));
    const seen: string[] = [];
    let answer = false;
    for (;;) {
      const known = pluginDirs.get(dir);
      if (known !== undefined) {
        answer = known;
        break;
      }
      seen.push(dir);
      const pkg = readPackage(dir);
      if (pkg !== undefined && (typeof pkg.name === 'string' || pkg.bioimageit !== undefined)) {
        answer = typeof pkg.bioimageit === 'object' && pkg.bioimageit !== null;
        break;
      }
      const up = deps.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    for (const d of seen) pluginDirs.set(d, answer);
    return answer;
  };
  return (specifier: string, context: { parentURL?: string }, nextResolve: Next): unknown => {
    const isShared = shared.some((s) => specifier === s || specifier.startsWith(s + '/'));
    if (isShared && context.parentURL !== host && inPlugin(context.parentURL)) return nextResolve(specifier, { ...context, parentURL: host });
    return nextResolve(specifier, context);
  };
}

/** The `module.register` hooks module (Node 20, which lacks `registerHooks`): runs on Node's hooks thread. */
const REGISTER_HOOKS = `
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// esbuild (tsx, vitest) keeps function names by wrapping them in a __name helper the source then calls
const __name = (target) => target;
const create = ${createSharingResolve.toString()};
let resolveShared;
export function initialize(data) { resolveShared = create(data.host, data.shared, { readFileSync, dirname, join, fileURLToPath }); }
export async function resolve(specifier, context, nextResolve) { return resolveShared(specifier, context, nextResolve); }
`;

let registered = false;

/**
 * Makes every plugin module resolve `@bioimageit/core` and `inversify` to the host's copies, so
 * that a plugin in any folder (named by a path in `plugins`, or installed anywhere) loads without
 * those packages in its own node_modules and without symlinks, and never with a second copy.
 * Registers a module resolution hook once per process: `module.registerHooks` (in-thread; Node ≥
 * 22.15, where `module.register` is deprecated from Node 26 on: DEP0205), else `module.register`
 * (Node 20.6+); a no-op where the runtime has neither. Plugins declare both as peer dependencies.
 */
export function shareHostModulesWithPlugins(): void {
  if (registered) return;
  registered = true;
  const api = nodeModule as {
    registerHooks?: (hooks: { resolve: (specifier: string, context: { parentURL?: string }, next: Next) => unknown }) => unknown;
    register?: typeof nodeModule.register;
  };
  if (typeof api.registerHooks === 'function') {
    api.registerHooks({ resolve: createSharingResolve(import.meta.url, SHARED_WITH_PLUGINS, { readFileSync, dirname, join, fileURLToPath }) });
    return;
  }
  if (typeof api.register !== 'function') return;
  api.register(`data:text/javascript,${encodeURIComponent(REGISTER_HOOKS)}`, {
    data: { host: import.meta.url, shared: SHARED_WITH_PLUGINS },
  });
}
