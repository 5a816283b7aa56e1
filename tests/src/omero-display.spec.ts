import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NS_CLIENT } from '../../plugins/omero/src/storage/omero-model.js';
import { omeroTestBed, TEST_PASSWORD, TEST_USER, type OmeroTestBed } from '../../plugins/omero/test/omero-test-setup.js';
import { cli } from './cli-harness.js';

/**
 * What `experiment show`, `experiment list` and `query` print for a facility's Project made in
 * OMERO.web (fake OMERO.web): tag keys from the images' key/value pairs, Datasets named by their
 * OMERO name, no empty date fragment.
 */
let bed: OmeroTestBed;
const saved = { ...process.env };

beforeEach(async () => {
  bed = await omeroTestBed();
  await writeFile(
    join(bed.dir, 'bioimageit.config.json'),
    JSON.stringify({
      experiments: `omero://${bed.server}`,
      plugins: ['@bioimageit/local-fs', '@bioimageit/omero'],
      settings: {
        BIOIMAGEIT_OMERO_SERVERS: bed.fake.url,
        BIOIMAGEIT_OMERO_SESSION_FILE: bed.options.sessionFile,
        BIOIMAGEIT_OMERO_CACHE: bed.options.cacheDir,
      },
    }),
  );
  // the plugin reads its credentials from the process environment
  Object.assign(process.env, { BIOIMAGEIT_OMERO_USER: TEST_USER, BIOIMAGEIT_OMERO_PASSWORD: TEST_PASSWORD });
});

afterEach(async () => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  await bed.cleanup();
});

function screen(): { uri: string; plates: number[] } {
  const { state } = bed.fake;
  const project = state.addProject('Screen 2024', 5, 3);
  const plates = ['Plate 2024-05-13', 'Plate 2024-05-14'].map((name) => state.addDataset(name, 5, 3, project.id).id);
  const images: [number, string, [string, string][]][] = [
    [
      plates[0]!,
      'a01.tif',
      [
        ['Well', 'A01'],
        ['Population', 'p1'],
      ],
    ],
    [
      plates[0]!,
      'a02.tif',
      [
        ['Well', 'A02'],
        ['Population', 'p2'],
      ],
    ],
    [plates[1]!, 'b01.tif', [['Well', 'B01']]],
  ];
  for (const [dataset, name, values] of images) {
    const image = state.addImage(dataset, name, 3);
    state.annotate('image', image.id, { kind: 'MapAnnotationI', ns: NS_CLIENT, ownerId: 3, values });
  }
  return { uri: `omero://${bed.server}/project/${project.id}`, plates };
}

describe('OMERO experiments in the CLI (fake OMERO.web)', () => {
  it('shows the tag keys of the images, without an empty date fragment', async () => {
    const { uri } = screen();
    const show = await cli(bed.dir, ['experiment', 'show', uri]);
    expect(show.stderr).toBe('');
    expect(show.stdout.split('\n').slice(0, 3)).toEqual(['Screen 2024  (author Ben Nevis)', uri, 'tag keys: Well, Population']);
    const list = await cli(bed.dir, ['experiment', 'list']);
    expect(list.stdout).toMatch(/^Screen 2024\s+Ben Nevis\s+-\s+-\s+omero:\/\//m);
    expect(list.stdout).not.toMatch(/, \)|\(\s*\)/);
  });

  it('prints a column per tag key in query tables, and queries a Dataset named by its OMERO name', async () => {
    const { uri, plates } = screen();
    const all = await cli(bed.dir, ['query', '-e', uri]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.split('\n')[0]).toMatch(/^NAME\s+Well\s+Population\s+FORMAT\s+ID$/);
    expect(all.stdout).toMatch(/^a01\.tif\s+A01\s+p1\s+imagetiff\s+image-\d+$/m);
    const plate = await cli(bed.dir, ['query', '-e', uri, '--dataset', 'Plate 2024-05-13', '-w', 'Population=p2']);
    expect(plate.code, plate.stderr).toBe(0);
    expect(plate.stdout).toMatch(/^a02\.tif\s+A02\s+p2\s+imagetiff/m);
    expect(plate.stdout).not.toContain('b01.tif');
    const byId = await cli(bed.dir, ['--json', 'query', '-e', uri, '--dataset', String(plates[1])]);
    expect((JSON.parse(byId.stdout) as { name: string }[]).map((i) => i.name)).toEqual(['b01.tif']);
    const wrong = await cli(bed.dir, ['query', '-e', uri, '--dataset', 'Plate 2024-05-15']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(
      `error: no dataset 'Plate 2024-05-15' in experiment ${uri}; its datasets: 'data' (all raw images), 'Plate 2024-05-13' (raw, id`,
    );
  });
});
