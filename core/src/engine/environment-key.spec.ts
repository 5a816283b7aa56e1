import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runner } from '../extension-points/runner.js';
import { RunnerRegistry } from '../registry/registries.js';
import { LocalRunner } from '../runner/local-runner.js';
import { InputChecksums, jobCacheKey } from './cache-key.js';
import { COPY_TOOL, engineFixture, type EngineFixture } from './test-support/engine-fixture.js';

/** A local runner whose environment key the test sets (a docker tag moved, a conda env changed). */
function keyedRunner(): { runner: Runner; set(key: string | undefined | Error): void } {
  const local = new LocalRunner({ killGraceMs: 500 });
  let key: string | undefined | Error = 'image-1';
  return {
    set: (k) => (key = k),
    runner: {
      id: 'keyed',
      environmentKey: async () => {
        if (key instanceof Error) throw key;
        return key;
      },
      run: async (job, signal) => {
        const result = await local.run(job, signal);
        return { ...result, environment: { ...result.environment, runner: 'keyed' } };
      },
    },
  };
}

let f: EngineFixture;
let keyed: ReturnType<typeof keyedRunner>;
beforeEach(async () => {
  keyed = keyedRunner();
  const runners = new RunnerRegistry();
  runners.register(keyed.runner);
  f = await engineFixture({ runners });
  for (const n of ['1', '2']) await f.addItem(`p_${n}.csv`, `a\n${n}\n`, { n });
});
afterEach(() => f.cleanup());

describe('RunEngine: the runner environment in cache keys', () => {
  it('a changed environment recomputes; the earlier environment is served from its own outputs', async () => {
    const tool = f.tool(COPY_TOOL);
    const run = async () =>
      (await f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'copies', runner: 'keyed' })).record.jobs.map((j) => j.status);
    expect(await run()).toEqual(['succeeded', 'succeeded']);
    expect(await run()).toEqual(['cached', 'cached']);
    keyed.set('image-2');
    expect(await run()).toEqual(['succeeded', 'succeeded']);
    keyed.set('image-1');
    expect(await run()).toEqual(['cached', 'cached']);
  });

  it('a runner that cannot tell its environment: a run warning, and keys without it', async () => {
    const tool = f.tool(COPY_TOOL);
    keyed.set(new Error('daemon not reachable'));
    const first = await f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'copies', runner: 'keyed' });
    expect(first.warnings).toContain("runner 'keyed' could not tell the environment of tool 'test.copy' (daemon not reachable); cache keys leave it out");
    expect(first.record.jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded']);
    // "No key" (undefined) is the same key: served from the outputs above.
    keyed.set(undefined);
    const second = await f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'copies', runner: 'keyed' });
    expect(second.warnings).toEqual([]);
    expect(second.record.jobs.map((j) => j.status)).toEqual(['cached', 'cached']);
  });

  it('without an environment the key is what it was before runners could give one', async () => {
    const [item] = await f.store.items('data');
    const plan = { index: 0, bindings: { i: [item!] } } as unknown as Parameters<typeof jobCacheKey>[2];
    const checksums = new InputChecksums(f.store);
    const plain = await jobCacheKey('digest', { n: 1 }, plan, checksums);
    expect(await jobCacheKey('digest', { n: 1 }, plan, checksums, undefined)).toBe(plain);
    expect(await jobCacheKey('digest', { n: 1 }, plan, checksums, 'docker:sha256:aa')).not.toBe(plain);
    expect(plain).toMatch(/^[0-9a-f]{64}$/);
  });
});
