import * as nodeModule from 'node:module';

/** Bare specifiers (and their subpaths) a plugin always resolves to the host's copy of. */
export const SHARED_WITH_PLUGINS: readonly string[] = ['@bioimageit/core', 'inversify'];

/**
 * The module resolution hooks, run by Node on its hooks thread (a `data:` URL module, so it needs
 * no file next to the compiled output and only imports Node built-ins). For a specifier named in
 * `shared`, imported by a file whose package (nearest package.json with a `name`) has a
 * `bioimageit` manifest, it resolves as if the import were written in the host's core: the plugin
 * gets the host's one copy of core and inversify wherever its folder lies, whatever its own
 * node_modules holds (a copy installed there for its tests, or none at all).
 */
const HOOKS = `
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
let host = '';
let shared = [];
const pluginDirs = new Map();
export function initialize(data) { host = data.host; shared = data.shared; }
function readPackage(dir) {
  try { return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')); } catch { return undefined; }
}
function inPlugin(url) {
  if (typeof url !== 'string' || !url.startsWith('file:')) return false;
  let dir = dirname(fileURLToPath(url));
  const seen = [];
  let answer = false;
  for (;;) {
    const known = pluginDirs.get(dir);
    if (known !== undefined) { answer = known; break; }
    seen.push(dir);
    const pkg = readPackage(dir);
    if (pkg !== undefined && (typeof pkg.name === 'string' || pkg.bioimageit !== undefined)) {
      answer = typeof pkg.bioimageit === 'object' && pkg.bioimageit !== null;
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const d of seen) pluginDirs.set(d, answer);
  return answer;
}
export async function resolve(specifier, context, nextResolve) {
  const isShared = shared.some((s) => specifier === s || specifier.startsWith(s + '/'));
  if (isShared && context.parentURL !== host && inPlugin(context.parentURL)) {
    return nextResolve(specifier, { ...context, parentURL: host });
  }
  return nextResolve(specifier, context);
}
`;

let registered = false;

/**
 * Makes every plugin module resolve `@bioimageit/core` and `inversify` to the host's copies, so
 * that a plugin in any folder (named by a path in `plugins`, or installed anywhere) loads without
 * those packages in its own node_modules and without symlinks, and never with a second copy.
 * Registers Node module resolution hooks (`module.register`, Node ≥ 20.6) once per process;
 * a no-op where the runtime has no `register`. Plugins declare both as peer dependencies.
 */
export function shareHostModulesWithPlugins(): void {
  if (registered) return;
  registered = true;
  const register = (nodeModule as { register?: typeof nodeModule.register }).register;
  if (typeof register !== 'function') return;
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
    data: { host: import.meta.url, shared: SHARED_WITH_PLUGINS },
  });
}
