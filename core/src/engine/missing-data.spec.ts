import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataItem } from '../model/data-item.js';
import { isDataMissing, missingDataIds } from './missing-data.js';

const item = (id: string, dataUri: string): DataItem => ({
  id,
  uri: `${dataUri}.md.json`,
  dataset: 'data',
  name: id,
  format: 'imagetiff',
  dataUri,
  author: 'me',
  date: '2024-05-06',
  tags: {},
  metadata: {},
  origin: { type: 'raw' },
});

describe('missing data files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'core-missing-'));
    await writeFile(join(dir, 'here.tif'), 'x');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('flags local data files that do not exist, and takes other schemes as present', async () => {
    const here = item('here', pathToFileURL(join(dir, 'here.tif')).href);
    const gone = item('gone', pathToFileURL(join(dir, 'gone.tif')).href);
    const under = item('under', pathToFileURL(join(dir, 'here.tif', 'inside.tif')).href);
    const remote = item('remote', 'omero://server/image/1');
    expect(await Promise.all([here, gone, under, remote].map(isDataMissing))).toEqual([false, true, true, false]);
    expect([...(await missingDataIds([here, gone, under, remote], 2))].sort()).toEqual(['gone', 'under']);
  });
});
