import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DockerEngineClient } from '../docker-engine-client.js';
import { busyboxRootfsTar } from './busybox-rootfs.js';
import type { EngineLaunch } from './engine-launch.js';
import { dockerdLaunch } from './test-dockerd.js';
import { podmanLaunch } from './test-podman.js';

export type { EngineLaunch } from './engine-launch.js';

const run = promisify(execFile);

/** The engines the daemon-backed suites run against; each is also the id of its system part (`skipWithout`). */
export type EngineKind = 'docker' | 'podman';

/** Every engine kind, in the order the parametrised suites run them. */
export const ENGINES: readonly EngineKind[] = ['docker', 'podman'];

/** A private engine for tests: its own storage, pid and socket in a temp dir, speaking the Docker Engine API. */
export interface TestEngine {
  readonly kind: EngineKind;
  /** The temp dir holding everything the engine writes. */
  readonly dir: string;
  readonly socketPath: string;
  /** `unix://<socket>` for DOCKER_HOST. */
  readonly host: string;
  readonly client: DockerEngineClient;
  /** Imports a root file system holding busybox-static and its applets as image `name` (`repo:tag`) through the API; resolves with `name`. */
  importBusybox(name: string): Promise<string>;
  /** Containers (running or not) that carry the docker runner's label. */
  runnerContainers(): Promise<{ Id: string; Names: string[]; State: string }[]>;
  /** How many containers the engine created between two instants (from its event log). */
  containersCreated(since: Date, until?: Date): Promise<number>;
  /** Removes what is left, stops the engine by its PID and removes the temp dir. */
  stop(): Promise<void>;
}

/** What the probe of an engine looks at (the host's, unless a spec passes another). */
export interface HostProbe {
  readonly platform: NodeJS.Platform;
  readonly uid: number | undefined;
  /** The PATH searched for the engine's commands. */
  readonly path: string;
}

const LAUNCHES: Readonly<Record<EngineKind, EngineLaunch>> = { docker: dockerdLaunch, podman: podmanLaunch };

/** The host's probe: this process's platform, uid and PATH. */
export function hostProbe(): HostProbe {
  return { platform: process.platform, uid: process.getuid?.(), path: process.env['PATH'] ?? '' };
}

/**
 * Why this machine cannot run the suites of engine `kind`, or undefined when it can: the engine
 * runs only on Linux, a private instance needs root, and each of its commands must be on PATH.
 * Spec files pass the answer to `skipWithout(kind, engineMissing(kind), import.meta.url)`.
 */
export function engineMissing(kind: EngineKind, probe: HostProbe = hostProbe()): string | undefined {
  const launch = LAUNCHES[kind];
  if (probe.platform !== 'linux') return `${launch.name} runs only on Linux (this is ${probe.platform})`;
  if (probe.uid !== 0) return `starting a private ${launch.name} needs root`;
  const onPath = (cmd: string): boolean => probe.path.split(path.delimiter).some((d) => d !== '' && existsSync(path.join(d, cmd)));
  const absent = launch.commands.filter((cmd) => !onPath(cmd));
  if (absent.length > 0) return `${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} not on PATH (${launch.install})`;
  return undefined;
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string, child: ChildProcess, log: string, name: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before ${what}:\n${await readFile(log, 'utf8').catch(() => '')}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}:\n${(await readFile(log, 'utf8').catch(() => '')).slice(-3000)}`);
}

/** The environment without proxy settings: the engine must reach the test registry on 127.0.0.1 directly. */
function withoutProxies(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(https?|no|all)_proxy$/i.test(name)));
}

/** Lazily unmounts what the engine left mounted under `dir` (e.g. `exec/netns/default`, a container's shm), deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((target) => target.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const target of mounts) await run('umount', ['-l', target]).catch(() => undefined);
}

/**
 * Starts a private engine of `kind` on a socket in a fresh temp dir (under /tmp: the containerd
 * socket path must stay short) without touching the host's networking, and waits until it
 * answers. Throws with the engine's log when it does not come up within 60 s, and at once when
 * {@link engineMissing} names something missing.
 */
export async function startTestEngine(kind: EngineKind): Promise<TestEngine> {
  const launch = LAUNCHES[kind];
  const missing = engineMissing(kind);
  if (missing !== undefined) throw new Error(`cannot start a test ${launch.name}: ${missing}`);
  const dir = await mkdtemp(existsSync('/tmp') ? `/tmp/b${kind[0] ?? 'e'}r-` : path.join(process.env['TMPDIR'] ?? '.', `b${kind[0] ?? 'e'}r-`));
  await chmod(dir, 0o755);
  const socketPath = path.join(dir, `${kind}.sock`);
  const log = path.join(dir, `${kind}.log`);
  const started = await launch.prepare(dir, socketPath, withoutProxies(process.env));
  const fd = openSync(log, 'a');
  // cwd: the engine's own folder, since conmon writes files (an empty `oom` after an OOM kill) into its working directory.
  const child = spawn(started.command, [...started.args], { stdio: ['ignore', fd, fd], env: started.env, cwd: dir });
  closeSync(fd);
  // If the test process ends without calling stop() (a crashed worker), take the engine along.
  const orphanGuard = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', orphanGuard);
  let client: DockerEngineClient | undefined;
  const stop = async (): Promise<void> => {
    if (client !== undefined) await launch.beforeStop?.(client).catch(() => undefined);
    process.off('exit', orphanGuard);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    await waitFor(
      async () => {
        client = await DockerEngineClient.connect(socketPath, 1000).catch(() => undefined);
        return client !== undefined;
      },
      60_000,
      'the engine to answer',
      child,
      log,
      launch.name,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const ready = client as DockerEngineClient;
  return {
    kind,
    dir,
    socketPath,
    host: `unix://${socketPath}`,
    client: ready,
    async importBusybox(name) {
      const tar = await busyboxRootfsTar(dir);
      try {
        // `repo` carries the tag: Podman 4 ignores the separate `tag` parameter of an import.
        const stream = await ready.stream('POST', '/images/create', {
          query: { fromSrc: '-', repo: name },
          body: await readFile(tar),
          headers: { 'Content-Type': 'application/x-tar' },
        });
        let text = '';
        for await (const chunk of stream) text += String(chunk);
        const failure = text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as { errorDetail?: { message?: string }; error?: string })
          .find((event) => event.errorDetail !== undefined || event.error !== undefined);
        if (failure !== undefined) throw new Error(`importing ${name} into ${launch.name} failed: ${failure.errorDetail?.message ?? failure.error ?? ''}`);
      } finally {
        await rm(tar, { force: true });
      }
      return name;
    },
    async runnerContainers() {
      const filters = JSON.stringify({ label: ['org.bioimageit.runner'] });
      return ready.json('GET', '/containers/json', { query: { all: true, filters } });
    },
    async containersCreated(since, until = new Date()) {
      const seconds = (d: Date): string => (d.getTime() / 1000).toFixed(3);
      const filters = JSON.stringify({ type: ['container'], event: ['create'] });
      // Podman answers no events at all for an `until` in the past (src/podman-gaps.spec.ts): ask it
      // up to 1.5 s from now (it then streams until that instant) and keep the events up to `until`.
      const asked = kind === 'podman' ? new Date(Math.max(until.getTime(), Date.now()) + 1500) : until;
      const stream = await ready.stream('GET', '/events', { query: { since: seconds(since), until: seconds(asked), filters } });
      let text = '';
      for await (const chunk of stream) text += String(chunk);
      const events = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as { timeNano?: number });
      return events.filter((e) => e.timeNano === undefined || e.timeNano / 1e6 <= until.getTime()).length;
    },
    stop,
  };
}
