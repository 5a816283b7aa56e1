import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { createKernelHooks, HookContribution, writeTiff } from '@bioimageit/core';
import { ThumbnailMaker } from './thumbnail-maker.js';
import { ThumbnailsOptions } from './thumbnails-options.js';
import thumbnailsModule, { thumbnailsModuleWith } from './thumbnails-module.js';
import { FakeThumbnailStore, itemAt } from './test-support/fake-store.js';

describe('thumbnails container module', () => {
  it('binds one maker and a hook contribution that queues on dataImported and jobFinished and settles before dispose', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'thumbnails-module-'));
    try {
      const container = new Container();
      container.bind(ThumbnailsOptions).toConstantValue({ log: () => undefined });
      await container.loadAsync(thumbnailsModule);
      const contributions = container.getAll<HookContribution>(HookContribution);
      expect(contributions).toHaveLength(1);
      expect(container.get(ThumbnailMaker)).toBe(container.get(ThumbnailMaker));
      const hooks = createKernelHooks();
      contributions[0]!.apply(hooks);
      expect(hooks.dataImported.taps.map((t) => t.name)).toEqual(['thumbnails']);
      const files = ['a.tif', 'b.tif'].map((n) => path.join(dir, n));
      for (const file of files) await writeTiff(file, { data: new Uint16Array(64).map((_, i) => i), shape: [8, 8], dtype: 'uint16', axes: 'YX' });
      const [a, b] = files.map((f) => itemAt(f, path.basename(f)));
      const store = new FakeThumbnailStore([a!, b!]);
      await hooks.dataImported.promise({ experimentUri: store.uri, items: [a!], store: store.asStore() });
      await hooks.jobFinished.promise({ runId: 'r', jobId: 'j', index: 0, status: 'succeeded', exitCode: 0, committed: [b!], store: store.asStore() });
      await hooks.jobFinished.promise({ runId: 'r', jobId: 'k', index: 1, status: 'cached', exitCode: 0, outputs: [a!.id] });
      await hooks.beforeDispose.promise();
      expect([...store.saved.keys()].sort()).toEqual([a!.id, b!.id]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('loads and taps without touching the canvas, so a broken canvas cannot fail activation', async () => {
    const container = new Container();
    let loads = 0;
    await container.loadAsync(thumbnailsModuleWith({ loadEncoder: async () => (loads++, Promise.reject(new Error('no binary'))) }));
    const hooks = createKernelHooks();
    for (const c of container.getAll<HookContribution>(HookContribution)) c.apply(hooks);
    await hooks.beforeDispose.promise();
    expect(loads).toBe(0);
  });
});
