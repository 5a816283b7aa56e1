import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { isSameProcessAlive, thisProcess } from '@bioimageit/core';

/**
 * Who made a temporary file or a staging folder, written into its name so that a later process
 * can tell one whose maker died (and so is abandoned) from one still in use, without a lock:
 * `<host tag>.<pid>[.<start ticks>]`, the host tag being 8 hex digits of the host name's sha256.
 */
export interface OwnerStamp {
  readonly hostTag: string;
  readonly pid: number;
  readonly start?: string;
}

/** The host tag of this machine. */
export const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** This process's stamp, as it goes into names. */
export const OWNER_STAMP = `${HOST_TAG}.${thisProcess.pid}${thisProcess.start === undefined ? '' : `.${thisProcess.start}`}`;

/** A regular-expression source matching a stamp, with three groups: host tag, pid, start (optional). */
export const STAMP_SOURCE = '([0-9a-f]{8})\\.(\\d+)(?:\\.(\\d+))?';

/** The stamp in the groups of a {@link STAMP_SOURCE} match starting at group `first`; undefined when absent. */
export function stampOf(match: RegExpExecArray, first: number): OwnerStamp | undefined {
  const [hostTag, pid, start] = [match[first], match[first + 1], match[first + 2]];
  if (hostTag === undefined || pid === undefined) return undefined;
  return start === undefined ? { hostTag, pid: Number(pid) } : { hostTag, pid: Number(pid), start };
}

/**
 * Whether a file or folder stamped `stamp` (undefined: no stamp, an older version made it) and
 * last modified at `mtimeMs` is abandoned: its maker is a process of this host that is gone (pid
 * and start time), or, where that cannot be told (no stamp, another host), it has not changed
 * for `ageMs`. This process's own are never abandoned.
 */
export function isAbandoned(stamp: OwnerStamp | undefined, mtimeMs: number, ageMs: number): boolean {
  if (stamp !== undefined && stamp.hostTag === HOST_TAG) {
    return !isSameProcessAlive(stamp.start === undefined ? { pid: stamp.pid } : { pid: stamp.pid, start: stamp.start });
  }
  return Date.now() - mtimeMs > ageMs;
}
