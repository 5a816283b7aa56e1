import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bare specifiers (and their subpaths) a plugin always resolves to the host's copy of. */
export const SHARED_WITH_PLUGINS: readonly string[] = ['@bioimageit/core', 'inversify'];

/**
 * What a host that carries packages inside itself (the CLI's bundle: one file tree holding core,
 * inversify and some plugins) tells the plugin loader, so that one copy of each runs. An
 * application that imports the packages from node_modules passes none. Given by the composition
 * root to createKernel (`hostModules`) and to importPluginModule.
 */
export interface HostModules {
  /**
   * Modules the host contains, by the bare specifier they are published under
   * (`@bioimageit/omero/module`, `@bioimageit/server`): a plugin module named here is imported
   * through this function, never from the installed package's files.
   */
  readonly modules?: Readonly<Record<string, () => Promise<unknown>>>;
  /**
   * The URL of the host's own module for a specifier of {@link SHARED_WITH_PLUGINS} or a subpath
   * of one (`@bioimageit/core`, `@bioimageit/core/formats`, `inversify`): what a plugin loaded from
   * outside the host imports under that name. A shared specifier not named here resolves from core.
   */
  readonly shared?: Readonly<Record<string, string>>;
}

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
 * for its tests, or none); a specifier `urls` names resolves to that URL instead (the host's module
 * of a bundle, see HostModules.shared). Self-contained (only its parameters): its source is also
 * the hook of `module.register` on Node 20.
 */
function createSharingResolve(host: string, shared: readonly string[], urls: Readonly<Record<string, string>>, deps: ResolverDeps) {
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
    if (!isShared || context.parentURL === host || !inPlugin(context.parentURL)) return nextResolve(specifier, context);
    const url = Object.prototype.hasOwnProperty.call(urls, specifier) ? urls[specifier] : undefined;
    if (url !== undefined) return { url, shortCircuit: true };
    return nextResolve(specifier, { ...context, parentURL: host });
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
export function initialize(data) { resolveShared = create(data.host, data.shared, data.urls, { readFileSync, dirname, join, fileURLToPath }); }
export async function resolve(specifier, context, nextResolve) { return resolveShared(specifier, context, nextResolve); }
`;

let registered = false;

/**
 * Makes every plugin module resolve `@bioimageit/core` and `inversify` to the host's copies, so
 * that a plugin in any folder (named by a path in `plugins`, or installed anywhere) loads without
 * those packages in its own node_modules and without symlinks, and never with a second copy.
 * The host's copies are those core resolves, or the modules `shared` names (a bundle's; see
 * HostModules). Registers a module resolution hook once per process (the first call's `shared`
 * holds): `module.registerHooks` (in-thread; Node ≥ 22.15, where `module.register` is deprecated
 * from Node 26 on: DEP0205), else `module.register` (Node 20.6+; its hooks thread takes tens of
 * milliseconds to start, so a bundle's own plugins never register it); a no-op where the runtime
 * has neither. Plugins declare both as peer dependencies.
 */
export function shareHostModulesWithPlugins(shared: Readonly<Record<string, string>> = {}): void {
  if (registered) return;
  registered = true;
  const api = nodeModule as {
    registerHooks?: (hooks: { resolve: (specifier: string, context: { parentURL?: string }, next: Next) => unknown }) => unknown;
    register?: typeof nodeModule.register;
  };
  if (typeof api.registerHooks === 'function') {
    api.registerHooks({ resolve: createSharingResolve(import.meta.url, SHARED_WITH_PLUGINS, shared, { readFileSync, dirname, join, fileURLToPath }) });
    return;
  }
  if (typeof api.register !== 'function') return;
  api.register(`data:text/javascript,${encodeURIComponent(REGISTER_HOOKS)}`, {
    data: { host: import.meta.url, shared: SHARED_WITH_PLUGINS, urls: { ...shared } },
  });
}
