import { describe, expect, it } from 'vitest';
import { HookError } from '../errors/area-errors.js';
import { createKernelHooks } from './kernel-hooks.js';
import { pluginHooksFor } from './plugin-hooks-facade.js';

describe('pluginHooksFor', () => {
  it('taps with the plugin id whatever name the plugin gives, and offers no call', async () => {
    const hooks = createKernelHooks();
    const facade = pluginHooksFor(hooks, 'my-plugin');
    facade.beforeRun.tapPromise('someone-else', () => Promise.reject(new Error('boom')));
    expect(hooks.beforeRun.taps.map((t) => t.name)).toEqual(['my-plugin']);
    expect('promise' in facade.beforeRun).toBe(false);
    expect(Object.isFrozen(facade)).toBe(true);
    const error = await (hooks.beforeRun.promise as (...args: unknown[]) => Promise<unknown>)({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookError);
    expect((error as HookError).message).toContain("plugin 'my-plugin'");
  });
});
