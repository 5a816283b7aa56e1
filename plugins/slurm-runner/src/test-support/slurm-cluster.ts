import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { chmod, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A one-node SLURM cluster (munged + slurmctld + slurmd) living in a temp folder, for tests and benchmarks. */
export interface TestCluster {
  /** The cluster's folder (config, munge key and socket, state, spool, logs); also a good place for test workspaces. */
  readonly dir: string;
  /** Its ClusterName, unique per cluster (`biit-` and 8 hex digits). */
  readonly name: string;
  /** Its node's name (NodeName, `slurmd -N`), unique per cluster: a job's SLURMD_NODENAME says which cluster ran it. */
  readonly node: string;
  /** The ports its daemons listen on (127.0.0.1), picked free at start. */
  readonly ports: ClusterPorts;
  /** Environment for SLURM commands: this process's, plus SLURM_CONF. */
  readonly env: NodeJS.ProcessEnv;
  /** Jobs this cluster still lists as pending, running or completing, as `<id> <state>` lines; `name`: only jobs of that name. */
  activeJobs(name?: string): Promise<string[]>;
  /** Stops the daemons by their PIDs and removes the folder. */
  stop(): Promise<void>;
}

/** Why a cluster cannot start on this machine, or `undefined` when it can. */
export function clusterUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `SLURM test cluster needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'SLURM test cluster needs root (slurmd runs jobs as their users)';
  for (const tool of ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel', 'sinfo']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore', env: { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin` } });
    } catch {
      return `${tool} is not installed (apt-get install slurmctld slurmd slurm-client munge)`;
    }
  }
  return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function pidOf(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGKILLs every process (but this one) whose working folder lies in `dir`: slurmstepds and job
 * processes a stopped cluster left behind. Linux only (reads /proc).
 */
async function killProcessesIn(dir: string): Promise<void> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
    if (cwd === dir || cwd.startsWith(`${dir}/`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** The TCP ports one test cluster's daemons listen on, on 127.0.0.1. */
export interface ClusterPorts {
  readonly slurmctld: number;
  readonly slurmd: number;
}

/**
 * Two distinct TCP ports that are free on 127.0.0.1 now: the OS picks them (listeners on port 0,
 * held together so that the two differ, then closed). Another process may take one before a daemon
 * binds it; {@link startTestCluster} then starts again on new ports.
 */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  const servers = [createServer(), createServer()];
  try {
    const ports = await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
          }),
      ),
    );
    return { slurmctld: ports[0] as number, slurmd: ports[1] as number };
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))));
  }
}

/** Options of {@link startTestCluster}. */
export interface TestClusterOptions {
  /** The node's CPU count (default: this machine's): more slots than cores, for throughput of trivial jobs. */
  readonly cpus?: number;
  /** slurm.conf's SchedulerParameters (default: schedule at submission and whenever a slot frees). */
  readonly schedulerParameters?: string;
  /** Make `--mem` a limit SLURM enforces (jobs above it end OUT_OF_MEMORY). */
  readonly enforceMemory?: boolean;
  /** Picks the ports of each start attempt (default {@link freeClusterPorts}); tests use it to hand out a port that is taken. */
  readonly pickPorts?: () => Promise<ClusterPorts>;
  /** Start attempts before giving up when a daemon cannot bind its port (default 5). */
  readonly attempts?: number;
}

/** What slurmctld and slurmd log when their port is taken. */
const PORT_TAKEN = /address already in use|EADDRINUSE/i;

/** A daemon started in the foreground (`-D`) in its own process group, and how it ended. */
interface Daemon {
  readonly name: 'slurmctld' | 'slurmd';
  readonly pid: number;
  /** Resolves, saying how, when the daemon has ended. */
  readonly ended: Promise<string>;
}

function startDaemon(name: Daemon['name'], args: readonly string[], env: NodeJS.ProcessEnv): Daemon {
  const child = spawn(name, ['-D', ...args], { env, detached: true, stdio: 'ignore' });
  const ended = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(signal !== null ? `killed by ${signal}` : `exit ${String(code)}`));
  });
  child.unref();
  return { name, pid: child.pid ?? -1, ended };
}

async function stopPid(pid: number | undefined): Promise<void> {
  if (pid === undefined || pid <= 0) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** slurm.conf of one cluster (see startTestCluster). */
function clusterConf(o: { dir: string; name: string; node: string; host: string; sock: string; ports: ClusterPorts; options: TestClusterOptions }): string {
  const { dir, options } = o;
  return [
    `ClusterName=${o.name}`,
    `SlurmctldHost=${o.host}(127.0.0.1)`,
    'SlurmUser=root',
    'AuthType=auth/munge',
    `AuthInfo=socket=${o.sock}`,
    'CredType=cred/munge',
    // slurmctld and slurmd listen on 127.0.0.1 only (SlurmctldHost's and NodeAddr's address), not on every interface.
    'CommunicationParameters=NoInAddrAny,NoCtldInAddrAny',
    'MpiDefault=none',
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    // enforceMemory: --mem is a limit, checked every second; a job above it is killed and ends
    // OUT_OF_MEMORY (as on clusters that track memory); jobs without --mem get 200 MB per CPU.
    ...(options.enforceMemory === true
      ? ['JobAcctGatherType=jobacct_gather/linux', 'JobAcctGatherFrequency=task=1', 'JobAcctGatherParams=OverMemoryKill', 'DefMemPerCPU=200']
      : ['JobAcctGatherType=jobacct_gather/none']),
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'SelectType=select/cons_tres',
    `SelectTypeParameters=${options.enforceMemory === true ? 'CR_Core_Memory' : 'CR_Core'}`,
    'ReturnToService=2',
    // Schedule a batch job when it is submitted and when a slot frees, not on the next 3 s tick
    // (the default batch_sched_delay): a test cluster should answer in well under a second.
    `SchedulerParameters=${options.schedulerParameters ?? 'batch_sched_delay=0,sched_min_interval=0'}`,
    'KillWait=5',
    `SlurmctldPort=${o.ports.slurmctld}`,
    `SlurmdPort=${o.ports.slurmd}`,
    `SlurmctldPidFile=${path.join(dir, 'slurmctld.pid')}`,
    `SlurmdPidFile=${path.join(dir, 'slurmd.pid')}`,
    `StateSaveLocation=${path.join(dir, 'spool-ctld')}`,
    `SlurmdSpoolDir=${path.join(dir, 'spool-d')}`,
    `SlurmctldLogFile=${path.join(dir, 'log', 'slurmctld.log')}`,
    `SlurmdLogFile=${path.join(dir, 'log', 'slurmd.log')}`,
    ...(options.cpus !== undefined ? ['SlurmdParameters=config_overrides'] : []),
    `NodeName=${o.node} NodeHostname=${o.host} NodeAddr=127.0.0.1 CPUs=${options.cpus ?? os.cpus().length} RealMemory=4000 State=UNKNOWN`,
    'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
    // a second partition on the same node, which jobs reach only when they ask for it (per-run `partition`)
    'PartitionName=short Nodes=ALL Default=NO MaxTime=60 State=UP',
    '',
  ].join('\n');
}

/** Why a start attempt failed: whether a daemon found its port taken, and the daemons' logs. */
interface FailedStart {
  readonly portTaken: boolean;
  readonly why: string;
  readonly logs: string;
}

/**
 * Waits until the node is idle (`sinfo`), or a daemon ends (a taken port among the reasons), or
 * 30 s pass.
 */
async function untilIdle(dir: string, env: NodeJS.ProcessEnv, daemons: readonly Daemon[]): Promise<'idle' | FailedStart> {
  const logs = async (): Promise<string> => {
    const texts = await Promise.all(
      ['slurmctld.log', 'slurmd.log'].map(async (f) => `--- ${f}\n${(await readFile(path.join(dir, 'log', f), 'utf8').catch(() => '')).slice(-2000)}`),
    );
    return texts.join('\n');
  };
  // A client command waits for a controller that is not up yet; a daemon that stopped answers at once.
  const ended = Promise.race(daemons.map((daemon) => daemon.ended.then((how) => ({ daemon, how }))));
  const until = Date.now() + 30_000;
  for (;;) {
    const sinfo = run('sinfo', ['-h', '-o', '%T'], { env, timeout: 5000 }).then(
      (r) => r.stdout,
      () => '',
    );
    const first = await Promise.race([sinfo, ended]);
    if (typeof first !== 'string') {
      const own = await readFile(path.join(dir, 'log', `${first.daemon.name}.log`), 'utf8').catch(() => '');
      return { portTaken: PORT_TAKEN.test(own), why: `${first.daemon.name} stopped (${first.how})`, logs: await logs() };
    }
    if (/idle/.test(first)) return 'idle';
    if (Date.now() > until) return { portTaken: false, why: `the node did not become idle within 30 s (sinfo: '${first.trim()}')`, logs: await logs() };
    await sleep(100);
  }
}

/**
 * Starts a one-node cluster on 127.0.0.1 in a new temp folder: a munge key and munged on a private
 * socket, slurm.conf (a node of its own name with this host's CPU count, partitions `debug` (the
 * default) and `short`, no accounting), then slurmctld and slurmd; resolves when the node is idle.
 *
 * Everything a second cluster on the same machine could collide with is the cluster's own: its
 * ports (free ones, picked at start; when a daemon cannot bind its port because something took it
 * meanwhile, the daemons are stopped and started again on new ports, up to `attempts` times), the
 * munge key and socket, state, spool, pid and log files (all in its folder), the cluster name and
 * the node name. So test files and test runs of several checkouts may each start clusters at once.
 *
 * @throws Error with the daemons' logs when they do not come up within 30 s, stop for another
 * reason than a taken port, or every attempt found a port taken.
 */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bioimageit-slurm-'));
  await chmod(dir, 0o755);
  for (const sub of ['spool-ctld', 'spool-d', 'log']) await mkdir(path.join(dir, sub));
  const sbin = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: sbin, SLURM_CONF: path.join(dir, 'slurm.conf') };
  const id = randomBytes(4).toString('hex');
  const name = `biit-${id}`;
  const node = `biit-${id}-node`;
  let daemons: Daemon[] = [];
  const stopDaemons = async (): Promise<void> => {
    for (const daemon of daemons) await stopPid(daemon.pid);
    daemons = [];
  };
  const stop = async (): Promise<void> => {
    // Jobs still queued or running would outlive slurmd (their slurmstepd keeps going): cancel them
    // and give the node a few seconds to end them, then stop the daemons, then sweep.
    if (daemons.length > 0) {
      for (const partition of ['debug', 'short']) await run('scancel', ['--full', `--partition=${partition}`], { env }).catch(() => undefined);
      for (let i = 0; i < 50; i++) {
        const left = await run('squeue', ['-h', '-o', '%i'], { env }).then(
          (r) => r.stdout.trim(),
          () => '',
        );
        if (left === '') break;
        await sleep(100);
      }
    }
    await stopDaemons();
    await stopPid(await pidOf(path.join(dir, 'munged.pid')));
    await killProcessesIn(dir);
    await rm(dir, { recursive: true, force: true });
  };
  let ports: ClusterPorts;
  try {
    const key = path.join(dir, 'munge.key');
    await run('mungekey', ['-c', '-k', key], { env });
    await chmod(key, 0o600);
    const sock = path.join(dir, 'munge.sock');
    await run(
      'munged',
      [
        '--force',
        `--key-file=${key}`,
        `--socket=${sock}`,
        `--pid-file=${path.join(dir, 'munged.pid')}`,
        `--log-file=${path.join(dir, 'munged.log')}`,
        `--seed-file=${path.join(dir, 'munge.seed')}`,
      ],
      { env },
    );
    const host = os.hostname().split('.')[0] as string;
    const attempts = options.attempts ?? 5;
    const taken: string[] = [];
    for (let attempt = 1; ; attempt++) {
      ports = await (options.pickPorts ?? freeClusterPorts)();
      await writeFile(path.join(dir, 'slurm.conf'), clusterConf({ dir, name, node, host, sock, ports, options }));
      const conf = env['SLURM_CONF'] as string;
      daemons = [startDaemon('slurmctld', ['-i', '-f', conf], env), startDaemon('slurmd', ['-N', node, '-f', conf], env)];
      const outcome = await untilIdle(dir, env, daemons);
      if (outcome === 'idle') break;
      await stopDaemons();
      if (outcome.portTaken && attempt < attempts) {
        // Keep the failed attempt's logs for a later failure's message; start clean on new ports.
        taken.push(`attempt ${attempt} (slurmctld ${ports.slurmctld}, slurmd ${ports.slurmd}): ${outcome.why}`);
        const logs = path.join(dir, 'log');
        await rename(logs, path.join(dir, `log-attempt-${attempt}`));
        for (const sub of ['spool-ctld', 'spool-d']) await rm(path.join(dir, sub), { recursive: true, force: true });
        for (const sub of ['spool-ctld', 'spool-d', 'log']) await mkdir(path.join(dir, sub));
        continue;
      }
      throw new Error(`SLURM test cluster did not start: ${outcome.why}${taken.length > 0 ? `\nearlier attempts: ${taken.join('; ')}` : ''}\n${outcome.logs}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    dir,
    name,
    node,
    ports,
    env,
    async activeJobs(name) {
      const out = await run('squeue', ['-h', '-r', '-o', '%i %T', ...(name === undefined ? [] : [`--name=${name}`])], { env });
      return out.stdout.split('\n').filter((l) => l.trim() !== '');
    },
    stop,
  };
}
