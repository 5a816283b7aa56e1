import type { PluginHooks } from './kernel-hooks.js';

type TapOptions = string | { name: string; [key: string]: unknown };
type Tapper = (options: TapOptions, fn: unknown) => void;

/**
 * The hooks as one plugin sees them: tap-only, and every tap it makes is named with its plugin id
 * whatever name it passes, so a failing tap's HookError always names the plugin that made it.
 * Built by the plugin loader for each plugin's HookContributions.
 */
export function pluginHooksFor(hooks: PluginHooks, pluginId: string): PluginHooks {
  const named = (options: TapOptions): TapOptions => (typeof options === 'string' ? pluginId : { ...options, name: pluginId });
  const facade: Record<string, unknown> = {};
  for (const [hookName, hook] of Object.entries(hooks) as [string, Record<string, unknown>][]) {
    const view: Record<string, Tapper> = {};
    for (const method of ['tap', 'tapPromise', 'tapAsync']) {
      const original = hook[method];
      if (typeof original === 'function') view[method] = (options, fn) => (original as Tapper).call(hook, named(options), fn);
    }
    facade[hookName] = Object.freeze(view);
  }
  return Object.freeze(facade) as PluginHooks;
}
