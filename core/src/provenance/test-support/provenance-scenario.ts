import type { JobRecord, RunRecord } from '../../model/run.js';
import { InMemoryExperimentStore } from './in-memory-experiment-store.js';

/** A run record with defaults, for specs. */
export function runRecord(partial: Partial<RunRecord> & Pick<RunRecord, 'id' | 'dataset' | 'jobs'>): RunRecord {
  return {
    tool: { id: 'threshold', name: 'Threshold', version: '1.0.0', digest: 'sha256:tool-threshold', source: '/tools/threshold.json' },
    parameters: [{ name: 'threshold', value: '128' }],
    inputs: [{ name: 'i', dataset: 'data', query: '' }],
    runner: 'local',
    host: 'lab-pc',
    user: 'ada',
    start: '2025-01-03T10:00:00.000Z',
    end: '2025-01-03T10:01:00.000Z',
    status: 'succeeded',
    ...partial,
  };
}

/** A succeeded job record with defaults, for specs. */
export function jobRecord(partial: Partial<JobRecord> & Pick<JobRecord, 'id' | 'index' | 'inputs' | 'outputs'>): JobRecord {
  return {
    status: 'succeeded',
    exitCode: 0,
    start: `2025-01-03T10:00:0${partial.index}.000Z`,
    end: `2025-01-03T10:00:1${partial.index}.000Z`,
    cacheKey: `key-${partial.id}`,
    ...partial,
  };
}

/**
 * The experiment every provenance spec uses:
 * - raw r1, r2 (tagged), r3 (without size/sha256, like v1 items);
 * - run `run-a` (threshold → dataset `threshold`): jobs a1 (r1 → t1), a2 (r2 → t2);
 * - run `run-b` (count → dataset `count`): b1 (t1 → c1.csv) succeeded, b2 (t2) failed, nothing out;
 * - run `run-c` (threshold again → `threshold`): c1 cached from run-a/a1, reusing t1;
 * - run `run-v1` (v1 copy → `copied`): no jobs, its item v1 copied from r3 (no digest, no times).
 * So c1.csv is twice processed: c1 ← t1 ← r1.
 */
export async function provenanceScenario(root: string): Promise<InMemoryExperimentStore> {
  const store = new InMemoryExperimentStore(root, 'Plate 1');
  await store.addRaw('r1', 'population1_001.tif', 'raw one', { Population: 'population1', number: '001' });
  await store.addRaw('r2', 'population1_002.tif', 'raw two', { Population: 'population1', number: '002' });
  await store.addRaw('r3', 'population2_003.tif', 'raw three', { Population: 'population2', number: '003' }, { withDigest: false });
  await store.addProcessed('t1', 'threshold', 'o_population1_001.tif', 'binary one', { runId: 'run-a', jobId: 'a1', inputs: [{ name: 'i', id: 'r1' }] });
  await store.addProcessed('t2', 'threshold', 'o_population1_002.tif', 'binary two', { runId: 'run-a', jobId: 'a2', inputs: [{ name: 'i', id: 'r2' }] });
  await store.addProcessed('c1', 'count', 'count_population1_001.csv', 'objects\n3\n', {
    runId: 'run-b',
    jobId: 'b1',
    inputs: [{ name: 'i', id: 't1' }],
    output: 'table',
  });
  await store.addProcessed('v1', 'copied', 'o_population2_003.tif', 'raw three', { runId: 'run-v1', inputs: [{ name: 'i', id: 'r3' }] }, { withDigest: false });
  store.addRun(
    runRecord({
      id: 'run-a',
      dataset: 'threshold',
      jobs: [
        jobRecord({ id: 'a1', index: 1, inputs: { i: ['r1'] }, outputs: ['t1'] }),
        jobRecord({ id: 'a2', index: 2, inputs: { i: ['r2'] }, outputs: ['t2'] }),
      ],
    }),
  );
  store.addRun(
    runRecord({
      id: 'run-b',
      dataset: 'count',
      tool: { id: 'count', name: 'Count objects', version: '0.2', digest: 'sha256:tool-count', source: '/tools/count.json' },
      parameters: [],
      status: 'partial',
      jobs: [
        jobRecord({ id: 'b1', index: 1, inputs: { i: ['t1'] }, outputs: ['c1'] }),
        jobRecord({ id: 'b2', index: 2, inputs: { i: ['t2'] }, outputs: [], status: 'failed', exitCode: 1, error: 'count: no objects found' }),
      ],
    }),
  );
  store.addRun(
    runRecord({
      id: 'run-c',
      dataset: 'threshold',
      jobs: [jobRecord({ id: 'c1', index: 1, inputs: { i: ['r1'] }, outputs: ['t1'], status: 'cached', cachedFrom: { runId: 'run-a', jobId: 'a1' } })],
    }),
  );
  store.addRun(
    runRecord({
      id: 'run-v1',
      dataset: 'copied',
      tool: { id: 'biitcopy_v1.0.0', name: '', version: '', digest: '', source: '/home/user/bioimageit/tools/biitcopy/biitcopy.xml' },
      parameters: [],
      runner: '',
      host: '',
      user: '',
      start: '',
      end: undefined,
      jobs: [],
    }),
  );
  return store;
}

/** A run of the threshold tool in a Docker container (job d1: r2 → t2), as the docker runner records it. */
export function dockerRun(): RunRecord {
  const environment = {
    runner: 'docker',
    image: 'registry.example.org/lab/threshold:1.2',
    imageId: 'sha256:0123abcd',
    imageDigests: ['registry.example.org/lab/threshold@sha256:feed'],
    network: 'none',
  };
  return runRecord({
    id: 'run-d',
    dataset: 'threshold',
    runner: 'docker',
    jobs: [jobRecord({ id: 'd1', index: 1, inputs: { i: ['r2'] }, outputs: ['t2'], environment })],
  });
}

/**
 * A run of the conda runner over two items: job k1 records the whole lock, job k2 points to it
 * (`lockIn`), as the runner records them.
 */
export function condaRun(): RunRecord {
  const lock = [
    { name: 'python', version: '3.12.3', build: 'h2628c8c_0_cpython', channel: 'https://conda.anaconda.org/conda-forge/' },
    { name: 'scikit-image', version: '0.22.0', build: 'py312h1d6d2e6_2', channel: 'https://conda.anaconda.org/conda-forge/' },
  ];
  const base = { runner: 'conda', conda: { prefix: '/w/.bioimageit/envs/9f2c', lockSha256: 'ab12', packages: 2 } };
  return runRecord({
    id: 'run-k',
    dataset: 'threshold',
    runner: 'conda',
    jobs: [
      jobRecord({ id: 'k1', index: 0, inputs: { i: ['r1'] }, outputs: ['t1'], environment: { ...base, conda: { ...base.conda, lock } } }),
      jobRecord({ id: 'k2', index: 1, inputs: { i: ['r2'] }, outputs: ['t2'], environment: { ...base, conda: { ...base.conda, lockIn: 'k1' } } }),
    ],
  });
}
