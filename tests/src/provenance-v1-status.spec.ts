import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProvJson, checkProvJson, checkRoCrate, createKernel, defaultConfig, writeRoCrate, type ExperimentStore, type Kernel } from '@bioimageit/core';
import { addV1ProcessedDataset } from '@bioimageit/core/testing';
import { DEFAULT_PLUGINS } from '@bioimageit/cli';
import { copyV1Experiment, tempDir, V1_FIXTURES } from './cli-harness.js';

/** The run v1 left in `failed/`: biitfail exited non-zero on every input, yet v1 registered its three outputs. */
const FAILED_RUN = '119ae063-d920-45c1-9aab-ded5748da3b2';

let dir: { path: string; cleanup: () => Promise<void> };
let kernel: Kernel;
let store: ExperimentStore;
beforeAll(async () => {
  dir = await tempDir('biit-prov-v1-');
  const exp = await copyV1Experiment(dir.path);
  await addV1ProcessedDataset(exp, join(V1_FIXTURES, 'failed-run', 'failed'));
  kernel = await createKernel({ config: defaultConfig(dir.path, 'tester', DEFAULT_PLUGINS) });
  store = await kernel.openExperiment(exp);
});
afterAll(async () => {
  await kernel.dispose();
  await dir.cleanup();
});

describe('provenance of runs BioImageIT v1 recorded (status unknown, as runs show says)', () => {
  it('never calls the failed v1 run succeeded in the RO-Crate: no actionStatus, and its missing outputs named', async () => {
    const crate = join(dir.path, 'crate');
    const doc = await writeRoCrate(store, crate, { runs: [FAILED_RUN], license: 'CC-BY-4.0' });
    expect(await checkRoCrate(doc, crate)).toEqual([]);
    const actions = doc['@graph'].filter((e) => e['@type'] === 'CreateAction');
    expect(actions).toHaveLength(3);
    for (const action of actions) {
      expect(action['actionStatus']).toBeUndefined();
      expect(action['description']).toContain('Status unknown: v1 records no jobs, times, exit codes or status');
      // The tool failed: v1 registered outputs it never wrote; the crate lists no File for them.
      expect(action['result']).toEqual([]);
      expect(action['description']).toMatch(/Items whose data file is missing \(never written, or removed\): o_population1_00[135]\./);
    }
    expect(JSON.stringify(doc)).not.toContain('CompletedActionStatus');
  });

  it('says status unknown in PROV-JSON for every v1 activity', async () => {
    const doc = await buildProvJson(store);
    expect(checkProvJson(doc)).toEqual([]);
    const statuses = Object.values(doc.activity).map((a) => a['bioimageit:status']);
    expect(statuses).toHaveLength(49 + 100 + 3);
    expect(new Set(statuses)).toEqual(new Set(['unknown']));
  });
});
