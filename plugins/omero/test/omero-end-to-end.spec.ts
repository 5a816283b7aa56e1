import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, defaultConfig, encodeTiff, type Kernel } from '@bioimageit/core';
import omero from '../src/cli/omero-command.js';
import { NS_CLIENT, NS_OUTPUT } from '../src/storage/omero-model.js';
import { runCommand } from './run-command.js';
import { FAKE_OMERO_CLI, omeroTestBed, TEST_PASSWORD, type OmeroTestBed } from './omero-test-setup.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pluginDir = path.join(here, '..');

let bed: OmeroTestBed;
let kernel: Kernel | undefined;
const saved = { ...process.env };

/** The environment the plugin reads inside the kernel (it is loaded by the kernel, not given options). */
function pluginEnv(credentials: boolean): NodeJS.ProcessEnv {
  return {
    BIOIMAGEIT_OMERO_SESSION_FILE: bed.options.sessionFile!,
    BIOIMAGEIT_OMERO_CACHE: bed.options.cacheDir!,
    BIOIMAGEIT_OMERO_CLI: FAKE_OMERO_CLI[1],
    BIOIMAGEIT_OMERO_SERVERS: bed.fake.url,
    ...(credentials && { BIOIMAGEIT_OMERO_USER: 'ben', BIOIMAGEIT_OMERO_PASSWORD: TEST_PASSWORD }),
  };
}

async function omeroCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const out: string[] = [];
  await runCommand(omero, args, { out: (t) => out.push(t), err: () => undefined, env, cwd: bed.dir });
  return out.join('\n');
}

async function startKernel(credentials: boolean): Promise<Kernel> {
  Object.assign(process.env, pluginEnv(credentials));
  const config = {
    ...defaultConfig(bed.dir, 'tester'),
    experiments: `omero://${bed.server}`,
    plugins: ['@bioimageit/local-fs', pluginDir],
    tools: { dirs: [path.join(here, 'tools')] },
  };
  kernel = await createKernel({ config, env: process.env });
  return kernel;
}

/** A facility's data already in OMERO: a Project with one Dataset of three TIFF images. */
function facilityData(): { projectId: number; datasetId: number; images: number[] } {
  const { state } = bed.fake;
  const project = state.addProject('Mitosis screen', 5, 3);
  const dataset = state.addDataset('plate 1', 5, 3, project.id);
  const images = ['a.tif', 'b.tif', 'c.tif'].map((name, i) => {
    const tiff = Buffer.from(encodeTiff({ data: new Uint16Array(16).fill(100 * (i + 1)), shape: [4, 4], dtype: 'uint16', axes: 'YX' }));
    return state.addImage(dataset.id, name, 3, { name, bytes: tiff }).id;
  });
  state.annotate('image', images[0]!, { kind: 'MapAnnotationI', ns: 'openmicroscopy.org/omero/bulk_annotations', ownerId: 3, values: [['Gene', 'AURKB']] });
  return { projectId: project.id, datasetId: dataset.id, images };
}

beforeEach(async () => {
  bed = await omeroTestBed();
});

afterEach(async () => {
  await kernel?.dispose();
  kernel = undefined;
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  await bed.cleanup();
});

describe('OMERO end to end (fake OMERO.web)', () => {
  it('logs in, lists, tags, runs a tool over images selected by tags, and attaches each result with its provenance to its source image', async () => {
    const { projectId, datasetId, images } = facilityData();
    const env = pluginEnv(false);
    expect(await omeroCli(['omero', 'login', bed.fake.url], { ...env, BIOIMAGEIT_OMERO_USER: 'ben', BIOIMAGEIT_OMERO_PASSWORD: TEST_PASSWORD })).toContain(
      'logged in',
    );
    expect(await omeroCli(['omero', 'ls', `omero://${bed.server}`], env)).toContain('Mitosis screen');
    await omeroCli(['omero', 'tag', `omero://${bed.server}/image/${images[0]}`, 'Population=p1'], env);
    await omeroCli(['omero', 'tag', `omero://${bed.server}/image/${images[1]}`, 'Population=p2'], env);
    await omeroCli(['omero', 'tag', `omero://${bed.server}/image/${images[2]}`, 'Population=p1'], env);
    expect(await omeroCli(['omero', 'ls', `omero://${bed.server}/dataset/${datasetId}`], env)).toMatch(/a\.tif\s+Population=p1/);

    const k = await startKernel(false);
    const uri = `omero://${bed.server}/project/${projectId}`;
    expect((await k.listExperiments()).map((e) => [e.name, e.uri])).toEqual([['Mitosis screen', uri]]);
    const store = await k.openExperiment(uri);
    expect((await k.query(store, 'Population=p1')).map((i) => i.name)).toEqual(['a.tif', 'c.tif']);
    const outcome = await k.runTool(store, {
      tool: 'test.copy-image',
      inputs: [{ name: 'image', dataset: 'data', query: 'Population=p1' }],
      outputDataset: 'copies',
    });
    expect(outcome.record.status).toBe('succeeded');
    expect(outcome.record.jobs).toHaveLength(2);

    const outputs = await store.items('copies');
    expect(outputs.map((o) => [o.name, o.tags])).toEqual([
      ['a_copy.tif', { Population: 'p1' }],
      ['c_copy.tif', { Population: 'p1' }],
    ]);
    const { state } = bed.fake;
    for (const [index, imageId] of [
      [0, images[0]!],
      [1, images[2]!],
    ] as const) {
      const anns = state.links.filter((l) => l.parentType === 'image' && l.parentId === imageId).map((l) => state.annotations.get(l.annId)!);
      const file = anns.find((a) => a.kind === 'FileAnnotationI');
      expect(file?.file?.name).toBe(outputs[index]!.name);
      expect(file!.file!.bytes.equals(state.images.get(imageId)!.original!.bytes)).toBe(true);
      const provenance = anns.find((a) => a.ns === NS_OUTPUT);
      expect(Object.fromEntries(provenance!.values!)).toMatchObject({
        output: outputs[index]!.name,
        run: outcome.record.id,
        tool: 'test.copy-image 1.0.0',
        'file annotation': String(file!.id),
      });
      expect(anns.find((a) => a.ns === 'openmicroscopy.org/omero/bulk_annotations' || a.ns === NS_CLIENT)).toBeDefined();
    }
    expect(state.links.filter((l) => l.parentType === 'image' && l.parentId === images[1]).map((l) => state.annotations.get(l.annId)!.kind)).toEqual([
      'MapAnnotationI',
    ]);
    expect(
      state.annotations.get(
        state.links.find((l) => l.parentId === images[0] && state.annotations.get(l.annId)?.ns === 'openmicroscopy.org/omero/bulk_annotations')!.annId,
      )!.values,
    ).toEqual([['Gene', 'AURKB']]);
    const runs = await store.listRuns('copies');
    expect(runs.map((r) => [r.id, r.status, r.jobs.length])).toEqual([[outcome.record.id, 'succeeded', 2]]);
    // Run again: the engine finds both jobs committed (by content) and runs nothing.
    const again = await k.runTool(store, {
      tool: 'test.copy-image',
      inputs: [{ name: 'image', dataset: 'data', query: 'Population=p1' }],
      outputDataset: 'copies',
    });
    expect(again.record.jobs.map((j) => j.status)).toEqual(['cached', 'cached']);
    expect(await store.items('copies')).toHaveLength(2);
    // The session file holds the key; nothing else on disk holds the password.
    expect(await readFile(bed.options.sessionFile!, 'utf8')).not.toContain(TEST_PASSWORD);
  });

  it('renews a session that expires mid-run, and the run finishes', async () => {
    const { projectId, images } = facilityData();
    for (const id of images) bed.fake.state.annotate('image', id, { kind: 'MapAnnotationI', ns: NS_CLIENT, ownerId: 3, values: [['Population', 'p1']] });
    const k = await startKernel(true);
    let expired = 0;
    k.hooks.jobStarted.tap('expire-sessions', () => {
      if (expired++ === 0) bed.fake.auth.expireAll();
    });
    const store = await k.openExperiment(`omero://${bed.server}/project/${projectId}`);
    const outcome = await k.runTool(store, { tool: 'test.copy-image', inputs: [{ name: 'image', query: 'Population=p1' }], outputDataset: 'copies', jobs: 1 });
    expect(outcome.record.status).toBe('succeeded');
    expect((await store.items('copies')).length).toBe(3);
    expect(bed.fake.requests.filter((r) => r.status === 403).length).toBeGreaterThan(0);
    expect(bed.fake.count('/api/v0/login/')).toBe(2);
  });
});
