import { describe, expect, it } from 'vitest';
import type { LockedPackage } from './conda-lock.js';
import { lockDigest, LockProvenance } from './lock-provenance.js';

const lock: LockedPackage[] = [{ name: 'a', version: '1', build: '0', channel: 'c' }];
const other: LockedPackage[] = [{ name: 'a', version: '2', build: '0', channel: 'c' }];

describe('LockProvenance', () => {
  it('records the whole lock in the first job of a run and points the others to it', () => {
    const p = new LockProvenance();
    expect(p.factsFor({ id: 'job-0002', runId: 'r1' }, lock)).toEqual({ lockSha256: lockDigest(lock), packages: 1, lock });
    expect(p.factsFor({ id: 'job-0001', runId: 'r1' }, lock)).toEqual({ lockSha256: lockDigest(lock), packages: 1, lockIn: 'job-0002' });
    expect(p.factsFor({ id: 'job-0002', runId: 'r1' }, lock)).toMatchObject({ lock }); // the same job again (a retry) keeps it
    expect(p.factsFor({ id: 'job-0001', runId: 'r2' }, lock)).toMatchObject({ lock }); // another run
    expect(p.factsFor({ id: 'job-0003', runId: 'r1' }, other)).toMatchObject({ lock: other }); // another lock in the same run
    expect(p.factsFor({ id: 'x' }, lock)).toMatchObject({ lock }); // no run id
  });

  it('digests equal locks equally and different ones differently', () => {
    expect(lockDigest(lock)).toBe(lockDigest([{ ...lock[0] } as LockedPackage]));
    expect(lockDigest(lock)).not.toBe(lockDigest(other));
  });
});
