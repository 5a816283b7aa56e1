import { describe, expect, it } from 'vitest';
import { HookError, StorageError } from '../errors/area-errors.js';
import { createKernelHooks } from './kernel-hooks.js';

const event = { experimentUri: 'file:///x', items: [] };

describe('kernel hooks', () => {
  it('is frozen: no hook can be added or replaced', () => {
    const hooks = createKernelHooks();
    expect(Object.isFrozen(hooks)).toBe(true);
    expect(Object.keys(hooks).sort()).toEqual(
      ['afterRun', 'beforeDispose', 'beforeRun', 'dataImported', 'jobFinished', 'jobProgress', 'jobStarted', 'resolveRunner', 'runFailed'].sort(),
    );
  });

  it('wraps an error thrown by a promise tap in a HookError naming hook and plugin', async () => {
    const hooks = createKernelHooks();
    hooks.dataImported.tapPromise('thumbnails', async () => {
      throw new Error('disk full');
    });
    const err = await hooks.dataImported.promise(event).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HookError);
    expect(err).toMatchObject({ code: 'TAP_FAILED', details: { hook: 'dataImported', plugin: 'thumbnails' } });
    expect((err as HookError).message).toBe("hook 'dataImported' failed in plugin 'thumbnails': disk full");
  });

  it('wraps sync and callback taps too, and lets BioImageIT errors through unchanged', async () => {
    const hooks = createKernelHooks();
    hooks.jobStarted.tap('bad-sync', () => {
      throw new TypeError('oops');
    });
    expect(() => hooks.jobStarted.call({ runId: 'r', jobId: 'j', index: 0 })).toThrow(/hook 'jobStarted' failed in plugin 'bad-sync': oops/);
    hooks.dataImported.tapAsync('cb', (_e, done) => done(new Error('cb failed')));
    await expect(hooks.dataImported.promise(event)).rejects.toThrow(/plugin 'cb': cb failed/);
    const own = new StorageError('IO', 'no space');
    const other = createKernelHooks();
    other.dataImported.tapPromise('x', async () => {
      throw own;
    });
    await expect(other.dataImported.promise(event)).rejects.toBe(own);
  });

  it('resolveRunner: the first tap that answers wins', async () => {
    const hooks = createKernelHooks();
    const runner = { id: 'docker', run: async () => ({ exitCode: 0, environment: {} }) };
    hooks.resolveRunner.tapPromise('none', async () => undefined);
    hooks.resolveRunner.tapPromise('docker', async () => runner);
    hooks.resolveRunner.tapPromise('never', async () => {
      throw new Error('must not be called');
    });
    await expect(hooks.resolveRunner.promise({ toolId: 't', requirements: {} })).resolves.toBe(runner);
  });
});
