import { describe, expect, it } from 'vitest';
import { sampleRunRecord } from '../testing/sample-run-record.js';
import { shownRunRecord } from './run-record.js';

describe('shownRunRecord', () => {
  it('leaves out the fields BioImageIT v1 never wrote, and only for runs v1 wrote', () => {
    const unwritten = { runner: '', host: '', user: '', start: '', status: 'unknown', recordedBy: 'bioimageit-v1' } as const;
    const v1 = sampleRunRecord('copied', 'v1-run', {
      ...unwritten,
      tool: { id: 'biitcopy', name: 'biitcopy', version: '', digest: '', source: '/t/biitcopy.xml' },
    });
    expect(shownRunRecord(v1)).toEqual({
      id: 'v1-run',
      dataset: 'copied',
      tool: { id: 'biitcopy', name: 'biitcopy', source: '/t/biitcopy.xml' },
      parameters: v1.parameters,
      inputs: v1.inputs,
      matchBy: 'position',
      status: 'unknown',
      recordedBy: 'bioimageit-v1',
      jobs: [],
    });
    const mine = sampleRunRecord('copied', 'run', { user: '' });
    expect(shownRunRecord(mine)).toBe(mine);
  });
});
