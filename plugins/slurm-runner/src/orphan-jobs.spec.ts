import { describe, expect, it } from 'vitest';
import { orphanedJobs, ownerComment, processAlive } from './orphan-jobs.js';

describe('jobs left by BioImageIT processes that died', () => {
  it('are those of this host whose submitting process is gone, once per array job', () => {
    const alive = (pid: number): boolean => pid === 200;
    const jobs = [
      { jobId: '11', comment: 'bioimageit:lab:100' }, // dead submitter: orphan
      { jobId: '11', comment: 'bioimageit:lab:100' }, // another task of the same array
      { jobId: '12', comment: 'bioimageit:lab:200' }, // submitter alive
      { jobId: '13', comment: `bioimageit:lab:${process.pid}` }, // this process
      { jobId: '14', comment: 'bioimageit:other-host:100' }, // another host: its pids mean nothing here
      { jobId: '15', comment: '' }, // not ours
      { jobId: '16', comment: 'bioimageit:lab:x' },
    ];
    expect(orphanedJobs(jobs, 'lab', alive)).toEqual(['11']);
  });

  it('tells the submitter by host and pid, and sees this process alive', () => {
    expect(ownerComment('node-1', 4242)).toBe('bioimageit:node-1:4242');
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
  });
});
