import { hostname } from 'node:os';
import { isProcessAlive } from '@bioimageit/core';
import type { DockerEngineClient } from './docker-engine-client.js';
import { LABELS } from './container-spec.js';

/** A container as `GET /containers/json` lists it (the fields the sweeper reads). */
interface ListedContainer {
  readonly Id: string;
  readonly Names?: readonly string[];
  readonly Labels?: Readonly<Record<string, string>>;
}

/**
 * Removes the docker runner's containers whose owning process (label `org.bioimageit.owner`,
 * `<host>:<pid>`) was on this host and no longer exists: what a `kill -9` of a run leaves behind
 * (Ctrl-C never does). Their jobs were never committed, and `--resume` runs them again. Containers
 * of other hosts sharing the daemon, and of live processes, are left alone. Never throws: resolves
 * with the names of the containers it removed.
 */
export async function sweepOrphanContainers(client: DockerEngineClient, host = hostname()): Promise<string[]> {
  let listed: ListedContainer[];
  try {
    const filters = JSON.stringify({ label: [`${LABELS.runner}=docker`] });
    listed = await client.json<ListedContainer[]>('GET', '/containers/json', { query: { all: true, filters } });
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const container of listed) {
    const owner = container.Labels?.[LABELS.owner] ?? '';
    const colon = owner.lastIndexOf(':');
    const pid = Number(owner.slice(colon + 1));
    if (colon <= 0 || owner.slice(0, colon) !== host || !Number.isInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
    try {
      await client.json('DELETE', `/containers/${container.Id}`, { query: { force: true, v: true } });
      removed.push((container.Names?.[0] ?? container.Id).replace(/^\//, ''));
    } catch {
      // gone already, or the daemon refused: the next sweep tries again
    }
  }
  return removed;
}
