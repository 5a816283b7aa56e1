import type { RunRecord } from '../model/run.js';

/**
 * A run record of v1's `biitthreshold` 1.0.0 writing into `dataset`, status `running` and no jobs
 * yet; `changes` override fields. For contract suites and backend specs that need a run to link
 * processed items to.
 */
export function sampleRunRecord(dataset: string, id: string, changes: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    dataset,
    tool: { id: 'biitthreshold', name: 'Threshold', version: '1.0.0', digest: 'sha256:0123', source: '/tools/biitthreshold/biitthreshold.xml' },
    parameters: [{ name: 'threshold', value: '128' }],
    inputs: [{ name: 'i', dataset: 'data', query: 'Population=population1' }],
    matchBy: 'position',
    runner: 'local',
    host: 'host1',
    user: 'tester',
    start: '2024-05-06T10:00:00.000Z',
    status: 'running',
    jobs: [],
    ...changes,
  };
}
