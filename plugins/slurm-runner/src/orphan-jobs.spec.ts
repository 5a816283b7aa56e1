import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { orphanedJobs, ownerComment, processAlive, processStartTicks } from './orphan-jobs.js';

describe('jobs left by BioImageIT processes that died', () => {
  it('are those of this host whose submitting process is gone, once per job id', () => {
    const alive = (pid: number, start: string | undefined): boolean => pid === 200 && start !== '999';
    const jobs = [
      { jobId: '11', comment: 'bioimageit:lab:100:5000' }, // dead submitter: orphan
      { jobId: '11', comment: 'bioimageit:lab:100:5000' }, // listed twice
      { jobId: '12', comment: 'bioimageit:lab:200:5000' }, // submitter alive
      { jobId: '17', comment: 'bioimageit:lab:200:999' }, // pid 200 reused by another process: orphan
      { jobId: '18', comment: 'bioimageit:lab:300' }, // no start time recorded, pid gone: orphan
      { jobId: '13', comment: `bioimageit:lab:${process.pid}` }, // this process
      { jobId: '14', comment: 'bioimageit:other-host:100' }, // another host: its pids mean nothing here
      { jobId: '19', comment: 'bioimageit:lab.b:100' }, // another host whose name extends this one
      { jobId: '15', comment: '' }, // not ours
      { jobId: '16', comment: 'bioimageit:lab:x' },
    ];
    expect(orphanedJobs(jobs, 'lab', alive)).toEqual(['11', '17', '18']);
  });

  it('tells the submitter by host, pid and start time, and a reused pid from its owner', async () => {
    expect(ownerComment('node-1', 4242, '777')).toBe('bioimageit:node-1:4242:777');
    expect(ownerComment('node-1', 4242, undefined)).toBe('bioimageit:node-1:4242');
    const start = processStartTicks(process.pid);
    if (process.platform === 'linux') expect(start).toMatch(/^\d+$/);
    expect(processAlive(process.pid, start)).toBe(true);
    expect(processAlive(process.pid)).toBe(true);
    if (start !== undefined) expect(processAlive(process.pid, String(Number(start) + 1))).toBe(false);
    const child = spawn('true');
    const pid = child.pid!;
    await new Promise((resolve) => child.on('close', resolve));
    expect(processAlive(pid, start)).toBe(false);
  });
});
