import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentStore } from '@bioimageit/core';
import { sampleRunRecord } from '@bioimageit/core/testing';
import { NS_CLIENT, NS_ITEM, NS_OUTPUT } from '../src/storage/omero-model.js';
import { omeroTestBed, type OmeroTestBed } from './omero-test-setup.js';

let bed: OmeroTestBed;
beforeEach(async () => {
  bed = await omeroTestBed();
});
afterEach(() => bed.cleanup());

async function file(name: string, content: string): Promise<{ sourcePath: string; size: number; sha256: string }> {
  const sourcePath = path.join(bed.dir, name);
  await writeFile(sourcePath, content);
  return { sourcePath, size: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}

async function withOutput(): Promise<{ store: ExperimentStore; rawId: string; outId: string; imageId: number }> {
  const store = await bed.backend().createExperiment(bed.location, { name: 'E', author: 'amy', keys: ['Population'] });
  const [raw] = await store.addRawItems([
    {
      ...(await file('a.tif', 'raw a')),
      name: 'a.tif',
      mode: 'copy',
      format: 'imagetiff',
      metadata: {},
      tags: { Population: 'p1' },
      author: 'amy',
      date: '2024-01-01',
    },
  ]);
  await store.ensureProcessedDataset('seg');
  await store.saveRun(sampleRunRecord('seg', 'run-1'));
  const dir = await store.createStagingDir('job');
  const out = await file(path.relative(bed.dir, path.join(dir, 'o_a.tif')), 'mask a');
  const [processed] = await store.commitProcessedItems('seg', [
    {
      ...out,
      name: 'o_a.tif',
      format: 'imagetiff',
      metadata: {},
      tags: { Quality: 'good' },
      author: 'amy',
      date: '2024-01-02',
      origin: { runId: 'run-1', inputs: [{ name: 'i', id: raw!.id }], output: { name: 'o', label: 'Mask' }, job: { id: 'job-1', cacheKey: 'k1' } },
    },
  ]);
  return { store, rawId: raw!.id, outId: processed!.id, imageId: Number(raw!.id.slice('image-'.length)) };
}

describe('OMERO experiment store', () => {
  it("keeps processed items' own tags and inherits their source image's current tags", async () => {
    const { store, rawId, outId } = await withOutput();
    await store.updateTags([
      { itemId: rawId, set: { Population: 'p2', Well: 'B3' } },
      { itemId: outId, set: { Quality: 'bad' } },
    ]);
    expect((await store.getItem(outId)).tags).toEqual({ Population: 'p2', Well: 'B3', Quality: 'bad' });
    await store.updateTags([{ itemId: outId, remove: ['Quality'] }]);
    expect((await store.items('seg'))[0]?.tags).toEqual({ Population: 'p2', Well: 'B3' });
    expect((await store.info()).keys).toEqual(['Population', 'Well', 'Quality']);
  });

  it('writes the item record, tags and provenance in their own namespaces and leaves others alone', async () => {
    const { imageId } = await withOutput();
    const { state } = bed.fake;
    state.annotate('image', imageId, { kind: 'MapAnnotationI', ns: 'openmicroscopy.org/omero/bulk_annotations', ownerId: 3, values: [['Gene', 'X']] });
    const anns = () => state.links.filter((l) => l.parentType === 'image' && l.parentId === imageId).map((l) => state.annotations.get(l.annId)!);
    expect(anns().map((a) => a.ns ?? a.file?.name)).toEqual([NS_CLIENT, NS_ITEM, 'o_a.tif', NS_OUTPUT, 'openmicroscopy.org/omero/bulk_annotations']);
    const provenance = Object.fromEntries(anns().find((a) => a.ns === NS_OUTPUT)!.values!);
    expect(provenance).toMatchObject({ output: 'o_a.tif', run: 'run-1', tool: 'biitthreshold 1.0.0', format: 'imagetiff', author: 'amy' });
    expect(JSON.parse(provenance['origin']!)).toMatchObject({ type: 'processed', inputs: [{ id: `image-${imageId}`, type: 'raw' }] });
  });

  it('imports all or none: when one file fails, the images already imported are deleted again', async () => {
    const store = await bed.backend().createExperiment(bed.location, { name: 'E', author: 'amy', keys: [] });
    const item = async (name: string) => ({
      ...(await file(name, `content of ${name}`)),
      name,
      mode: 'copy' as const,
      format: 'imagetiff',
      metadata: {},
      tags: { k: name },
      author: 'amy',
      date: '2024-01-01',
    });
    const items = [await item('good.tif'), await item('bad.tif')];
    process.env['FAKE_OMERO_CLI_FAIL'] = 'bad.tif';
    try {
      const error = (await store.addRawItems(items).then(
        () => new Error('no error'),
        (e: unknown) => e,
      )) as Error;
      expect(error.message).toMatch(
        /^omero import of .*bad\.tif into Dataset \d+ failed \(exit status 1\): ERROR: import failed: Ice.ConnectionRefusedException$/,
      );
    } finally {
      delete process.env['FAKE_OMERO_CLI_FAIL'];
    }
    expect(await store.items()).toEqual([]);
    expect(bed.fake.state.images.size).toBe(0);
    expect([...bed.fake.state.annotations.values()].filter((a) => a.ns === NS_CLIENT || a.ns === NS_ITEM)).toEqual([]);
  });

  it('commits outputs all or none: a failed upload removes the outputs this call attached', async () => {
    const { store, rawId } = await withOutput();
    const dir = await store.createStagingDir('job 2');
    const outputs = await Promise.all(
      ['p.tif', 'q.tif'].map(async (name) => ({
        ...(await file(path.relative(bed.dir, path.join(dir, name)), `out ${name}`)),
        name,
        format: 'imagetiff',
        metadata: {},
        author: 'amy',
        date: '2024-01-02',
        origin: { runId: 'run-1', inputs: [{ name: 'i', id: rawId }], output: { name: 'o', label: 'Mask' }, job: { id: `job-${name}`, cacheKey: name } },
      })),
    );
    const filesBefore = [...bed.fake.state.annotations.values()].filter((a) => a.kind === 'FileAnnotationI').length;
    let uploads = 0;
    bed.fake.inject((m, p) => p === '/webclient/annotate_file/' && ++uploads === 2, 1, 502);
    const error = (await store.commitProcessedItems('seg', outputs).then(
      () => new Error('no error'),
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toContain('POST /webclient/annotate_file/ answered 502');
    expect((await store.items('seg')).map((i) => i.name)).toEqual(['o_a.tif']);
    expect([...bed.fake.state.annotations.values()].filter((a) => a.kind === 'FileAnnotationI')).toHaveLength(filesBefore);
    expect([...bed.fake.state.annotations.values()].filter((a) => a.ns === NS_OUTPUT)).toHaveLength(2);
  });

  it('lists and creates experiments in the group a location names', async () => {
    bed.fake.state.addProject('In 4', 4, 3);
    bed.fake.state.addProject('In 5', 5, 3);
    const backend = bed.backend();
    expect((await backend.listExperiments(`${bed.location}/group/4`)).map((e) => e.name)).toEqual(['In 4']);
    const store = await backend.createExperiment(`${bed.location}/group/4`, { name: 'New in 4', author: 'amy', keys: [] });
    const project = bed.fake.state.projects.get(Number((await store.info()).id))!;
    expect(project.groupId).toBe(4);
    expect([...bed.fake.state.datasets.values()].map((d) => d.groupId)).toEqual([4]);
    expect((await backend.listExperiments(bed.location)).map((e) => e.name).sort()).toEqual(['In 4', 'In 5', 'New in 4']);
    expect((await backend.listExperiments(`${bed.location}/project/1`).catch((e: unknown) => e as Error)) as Error).toBeInstanceOf(Error);
  });

  it('replaces a run record file and keeps job logs as attachments of the processed dataset', async () => {
    const { store } = await withOutput();
    await store.saveRun({ ...sampleRunRecord('seg', 'run-1'), status: 'succeeded', end: '2024-05-06T10:01:00.000Z' });
    const log = (await file('job.log', 'hello log')).sourcePath;
    expect(await store.saveRunLog('seg', 'run-1', 'job-1.stdout', log)).toBe('logs/run-1/job-1.stdout');
    const names = [...bed.fake.state.annotations.values()].filter((a) => a.kind === 'FileAnnotationI').map((a) => a.file!.name);
    expect(names.filter((n) => n.startsWith('bioimageit-run-'))).toEqual(['bioimageit-run-run-1.json']);
    expect(names).toContain('bioimageit-log-run-1--job-1.stdout');
    expect((await store.listRuns('seg')).map((r) => r.status)).toEqual(['succeeded']);
  });
});
