import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DockerEngineClient } from '../docker-engine-client.js';
import { busyboxRootfsTar } from './busybox-rootfs.js';

const run = promisify(execFile);

/** A private Docker daemon for tests: its own data root, exec root, pid file and socket in a temp dir. */
export interface TestDockerd {
  /** The temp dir holding everything the daemon writes. */
  readonly dir: string;
  readonly socketPath: string;
  /** `unix://<socket>` for DOCKER_HOST. */
  readonly host: string;
  readonly client: DockerEngineClient;
  /** Builds `name` with `docker import` from a folder holding busybox-static and its applets. */
  importBusybox(name: string): Promise<string>;
  /** Containers (running or not) that carry the docker runner's label. */
  runnerContainers(): Promise<{ Id: string; Names: string[]; State: string }[]>;
  /** How many containers the daemon created between two instants (from its event log). */
  containersCreated(since: Date, until?: Date): Promise<number>;
  /** Stops the daemon by its PID and removes the temp dir. */
  stop(): Promise<void>;
}

/** Why this machine cannot run the daemon-backed suites, or undefined when it can. */
export function dockerdMissing(): string | undefined {
  const onPath = (cmd: string): boolean => (process.env['PATH'] ?? '').split(path.delimiter).some((d) => d !== '' && existsSync(path.join(d, cmd)));
  if (process.platform !== 'linux') return 'dockerd runs only on Linux';
  if (process.getuid?.() !== 0) return 'starting a private dockerd needs root';
  for (const cmd of ['dockerd', 'containerd', 'runc', 'docker', 'busybox']) if (!onPath(cmd)) return `${cmd} is not on PATH (apt-get install docker.io busybox-static)`;
  return undefined;
}

/**
 * True when daemon-backed suites must skip here; prints why. In CI (`CI=true`) they never skip:
 * a missing piece fails the setup instead.
 */
export function skipWithoutDockerd(): boolean {
  const why = dockerdMissing();
  if (why === undefined || process.env['CI'] === 'true') return false;
  console.warn(`[docker-runner] skipping daemon-backed tests: ${why}`);
  return true;
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string, child: ChildProcess, log: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`dockerd exited with ${child.exitCode} before ${what}:\n${await readFile(log, 'utf8').catch(() => '')}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}:\n${(await readFile(log, 'utf8').catch(() => '')).slice(-3000)}`);
}

/** The environment without proxy settings: the daemon must reach the test registry on 127.0.0.1 directly. */
function withoutProxies(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(https?|no|all)_proxy$/i.test(name)));
}

/** Lazily unmounts what the daemon left mounted under `dir` (e.g. `exec/netns/default`), deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((target) => target.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const target of mounts) await run('umount', ['-l', target]).catch(() => undefined);
}

/**
 * Starts dockerd with `--bridge=none --iptables=false --ip6tables=false` (no host networking is
 * touched) on a socket in a fresh temp dir (under /tmp: the containerd socket path must stay
 * short). Throws with the daemon's log when it does not come up within 60 s.
 */
export async function startTestDockerd(): Promise<TestDockerd> {
  const missing = dockerdMissing();
  if (missing !== undefined) throw new Error(`cannot start a test dockerd: ${missing}`);
  const dir = await mkdtemp(existsSync('/tmp') ? '/tmp/bdr-' : path.join(process.env['TMPDIR'] ?? '.', 'bdr-'));
  await chmod(dir, 0o755);
  const socketPath = path.join(dir, 'docker.sock');
  const log = path.join(dir, 'dockerd.log');
  const fd = openSync(log, 'a');
  const child = spawn(
    'dockerd',
    [
      `--data-root=${path.join(dir, 'data')}`,
      `--exec-root=${path.join(dir, 'exec')}`,
      `--pidfile=${path.join(dir, 'dockerd.pid')}`,
      `-H`,
      `unix://${socketPath}`,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      // Own namespaces, in case the daemon joins a system containerd (/run/containerd/containerd.sock).
      `--containerd-namespace=${path.basename(dir)}`,
      `--containerd-plugins-namespace=${path.basename(dir)}-plugins`,
    ],
    { stdio: ['ignore', fd, fd], env: withoutProxies(process.env) },
  );
  closeSync(fd);
  // If the test process ends without calling stop() (a crashed worker), take the daemon along.
  const orphanGuard = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', orphanGuard);
  let client: DockerEngineClient | undefined;
  const stop = async (): Promise<void> => {
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
      'the daemon to answer',
      child,
      log,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const env = { ...process.env, DOCKER_HOST: `unix://${socketPath}` };
  const ready = client as DockerEngineClient;
  return {
    dir,
    socketPath,
    host: `unix://${socketPath}`,
    client: ready,
    async importBusybox(name) {
      const tar = await busyboxRootfsTar(dir);
      await run('docker', ['import', tar, name], { env });
      await rm(tar, { force: true });
      return name;
    },
    async runnerContainers() {
      const filters = JSON.stringify({ label: ['org.bioimageit.runner'] });
      return ready.json('GET', '/containers/json', { query: { all: true, filters } });
    },
    async containersCreated(since, until = new Date()) {
      const seconds = (d: Date): string => (d.getTime() / 1000).toFixed(3);
      const filters = JSON.stringify({ type: ['container'], event: ['create'] });
      const stream = await ready.stream('GET', '/events', { query: { since: seconds(since), until: seconds(until), filters } });
      let text = '';
      for await (const chunk of stream) text += String(chunk);
      return text.split('\n').filter((line) => line.trim() !== '').length;
    },
    stop,
  };
}
