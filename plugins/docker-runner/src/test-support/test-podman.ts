import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DockerEngineClient } from '../docker-engine-client.js';
import type { EngineLaunch } from './engine-launch.js';

/** The hard limit named `what` in /proc/self/limits (`Max open files`), capped at `cap`. */
async function hardLimit(what: string, cap: number): Promise<number> {
  const line = (await readFile('/proc/self/limits', 'utf8').catch(() => '')).split('\n').find((l) => l.startsWith(what));
  const hard = Number(line?.slice(what.length).trim().split(/\s+/)[1]);
  return Number.isInteger(hard) && hard > 0 ? Math.min(hard, cap) : cap;
}

/**
 * Podman's Docker-compatible service (`podman system service --time=0 unix://…`), rootful, with
 * everything of its own in the test's temp dir: `--root`, `--runroot`, `--tmpdir`, `--volumepath`,
 * `--network-config-dir`, `--storage-driver=vfs --cgroup-manager=cgroupfs --events-backend=file`,
 * and a containers.conf (through `CONTAINERS_CONF`) that picks runc and sets `default_ulimits`:
 * root here cannot raise rlimits (no CAP_SYS_RESOURCE), so runc fails every container unless
 * nofile and nproc are given at or below this process's hard limits (nproc at most 32768, which
 * podman lowers its own to). A registries.conf (`CONTAINERS_REGISTRIES_CONF`) marks registries on
 * 127.0.0.1 insecure, as Docker treats them by default.
 */
export const podmanLaunch: EngineLaunch = {
  name: 'podman system service',
  commands: ['podman', 'conmon', 'runc', 'busybox'],
  install: 'Debian: podman runc busybox-static',
  async prepare(dir, socketPath, env) {
    const nofile = await hardLimit('Max open files', 1_048_576);
    const nproc = await hardLimit('Max processes', 32_768);
    await mkdir(path.join(dir, 'tmp'));
    const conf = path.join(dir, 'containers.conf');
    await writeFile(
      conf,
      [
        '[containers]',
        `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
        '[engine]',
        'runtime = "runc"',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `events_logfile_path = "${path.join(dir, 'events.log')}"`,
        '',
      ].join('\n'),
    );
    const registries = path.join(dir, 'registries.conf');
    await writeFile(registries, ['unqualified-search-registries = ["docker.io"]', '[[registry]]', 'location = "127.0.0.1"', 'insecure = true', ''].join('\n'));
    return {
      command: 'podman',
      args: [
        `--root=${path.join(dir, 'root')}`,
        `--runroot=${path.join(dir, 'run')}`,
        `--tmpdir=${path.join(dir, 'libpod')}`,
        `--volumepath=${path.join(dir, 'volumes')}`,
        `--network-config-dir=${path.join(dir, 'networks')}`,
        '--storage-driver=vfs',
        '--cgroup-manager=cgroupfs',
        '--events-backend=file',
        'system',
        'service',
        '--time=0',
        `unix://${socketPath}`,
      ],
      env: { ...env, CONTAINERS_CONF: conf, CONTAINERS_REGISTRIES_CONF: registries, TMPDIR: path.join(dir, 'tmp') },
    };
  },
  /** The service leaves its containers (and their conmon monitors) running when it stops: remove them first. */
  async beforeStop(client: DockerEngineClient) {
    const all = await client.json<{ Id: string }[]>('GET', '/containers/json', { query: { all: true } });
    await Promise.all(all.map((c) => client.json('DELETE', `/containers/${c.Id}`, { query: { force: true, v: true } }).catch(() => undefined)));
  },
};
