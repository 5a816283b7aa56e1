import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { chmod, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A one-node SLURM cluster (munged + slurmctld + slurmd) living in a temp folder, for tests and benchmarks. */
export interface TestCluster {
  /** The cluster's folder (config, spool, logs); also a good place for test workspaces. */
  readonly dir: string;
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

/** Ports of the test cluster (reserved for this package's tests on the team's machines). */
export const TEST_CLUSTER_PORTS = { slurmctld: 16817, slurmd: 16818 } as const;

/** Rejects, naming the port, when something already listens on one of the cluster's ports. */
async function checkPortsFree(): Promise<void> {
  for (const port of Object.values(TEST_CLUSTER_PORTS)) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`port ${port} on 127.0.0.1 is in use (${error.code ?? error.message}): is another SLURM test cluster still running?`)),
      );
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  }
}

/**
 * Starts a one-node cluster on 127.0.0.1 in a new temp folder: a munge key and munged on a private
 * socket, slurm.conf (node = this host with its CPU count, partition `debug`, no accounting), then
 * slurmctld and slurmd; resolves when the node is idle. `cpus` overrides the node's CPU count (more
 * slots than cores, for throughput of trivial jobs); `enforceMemory` makes `--mem` a limit SLURM
 * enforces. Throws with the daemons' logs when they do not come up within 30 s.
 */
export async function startTestCluster(options: { readonly cpus?: number; readonly schedulerParameters?: string; readonly enforceMemory?: boolean } = {}): Promise<TestCluster> {
  await checkPortsFree();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bioimageit-slurm-'));
  await chmod(dir, 0o755);
  for (const sub of ['spool-ctld', 'spool-d', 'log']) await mkdir(path.join(dir, sub));
  const sbin = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: sbin, SLURM_CONF: path.join(dir, 'slurm.conf') };
  const pids = ['slurmd.pid', 'slurmctld.pid', 'munged.pid'].map((f) => path.join(dir, f));
  const stop = async (): Promise<void> => {
    // Jobs still queued or running would outlive slurmd (their slurmstepd keeps going): cancel them
    // and give the node a few seconds to end them, then stop the daemons, then sweep.
    await run('scancel', ['--full', `--partition=debug`], { env }).catch(() => undefined);
    for (let i = 0; i < 50; i++) {
      const left = await run('squeue', ['-h', '-o', '%i'], { env }).then((r) => r.stdout.trim(), () => '');
      if (left === '') break;
      await sleep(100);
    }
    for (const file of pids) {
      const pid = await pidOf(file);
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        continue;
      }
      for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    await killProcessesIn(dir);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const key = path.join(dir, 'munge.key');
    await run('mungekey', ['-c', '-k', key], { env });
    await chmod(key, 0o600);
    const sock = path.join(dir, 'munge.sock');
    await run('munged', ['--force', `--key-file=${key}`, `--socket=${sock}`, `--pid-file=${path.join(dir, 'munged.pid')}`, `--log-file=${path.join(dir, 'munged.log')}`, `--seed-file=${path.join(dir, 'munge.seed')}`], { env });
    const host = os.hostname().split('.')[0] as string;
    const conf = [
      'ClusterName=biit-test',
      `SlurmctldHost=${host}(127.0.0.1)`,
      'SlurmUser=root',
      'AuthType=auth/munge',
      `AuthInfo=socket=${sock}`,
      'CredType=cred/munge',
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
      `SlurmctldPort=${TEST_CLUSTER_PORTS.slurmctld}`,
      `SlurmdPort=${TEST_CLUSTER_PORTS.slurmd}`,
      `SlurmctldPidFile=${path.join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${path.join(dir, 'slurmd.pid')}`,
      `StateSaveLocation=${path.join(dir, 'spool-ctld')}`,
      `SlurmdSpoolDir=${path.join(dir, 'spool-d')}`,
      `SlurmctldLogFile=${path.join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${path.join(dir, 'log', 'slurmd.log')}`,
      ...(options.cpus !== undefined ? ['SlurmdParameters=config_overrides'] : []),
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${options.cpus ?? os.cpus().length} RealMemory=4000 State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n');
    await writeFile(path.join(dir, 'slurm.conf'), conf);
    await run('slurmctld', ['-i', '-f', env['SLURM_CONF'] as string], { env });
    await run('slurmd', ['-f', env['SLURM_CONF'] as string], { env });
    const until = Date.now() + 30_000;
    for (;;) {
      const states = await run('sinfo', ['-h', '-o', '%T'], { env }).then((r) => r.stdout, () => '');
      if (/idle/.test(states)) break;
      if (Date.now() > until) {
        const logs = await Promise.all(['slurmctld.log', 'slurmd.log'].map((f) => readFile(path.join(dir, 'log', f), 'utf8').catch(() => '')));
        throw new Error(`SLURM test cluster did not become idle within 30 s (sinfo: '${states.trim()}')\n${logs.join('\n').slice(-4000)}`);
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    dir,
    env,
    async activeJobs(name) {
      const out = await run('squeue', ['-h', '-r', '-o', '%i %T', ...(name === undefined ? [] : [`--name=${name}`])], { env });
      return out.stdout.split('\n').filter((l) => l.trim() !== '');
    },
    stop,
  };
}
