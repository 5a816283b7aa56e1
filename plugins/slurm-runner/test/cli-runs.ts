import { spawn } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunRecord } from '@bioimageit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterContext, ClusterPythons } from './cluster-context.js';
import { nativeTool, REPO, slurmWorkspace, type SlurmWorkspace } from './slurm-workspace.js';

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the `bioimageit` CLI from its sources through tsx (no decorator metadata) in a workspace. */
function startCli(ws: SlurmWorkspace, args: readonly string[]): { kill: (signal: NodeJS.Signals) => void; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path.join(REPO, 'cli/src/main.ts'), ...args], {
    cwd: REPO,
    env: { ...process.env, ...ws.env, BIOIMAGEIT_WORKSPACE: ws.path },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { kill: (signal) => child.kill(signal), done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

/** `bioimageit run --runner slurm` as users type it: a run as an array job, and Ctrl-C cancelling it on the cluster. */
export function describeCliRuns(context: () => ClusterContext, pythons: ClusterPythons): void {
  describe('bioimageit run --runner slurm (CLI process)', () => {
    let ws: SlurmWorkspace;
    beforeAll(async () => {
      ws = await slurmWorkspace(context(), 'cli-', pythons.withTifffile ?? pythons.python);
    });

    it.skipIf(pythons.withTifffile === undefined)('runs a v1 wrapper over tagged items as one array job and prints the run with its SLURM ids', async () => {
      const args = [
        'run',
        'biitthreshold',
        '-e',
        'exp100',
        '-i',
        'i=data:Population=population2 AND number<12',
        '--param',
        'threshold=100',
        '-o',
        'thr',
        '--runner',
        'slurm',
        '--jobs',
        '16',
        '--json',
      ];
      const { done } = startCli(ws, args);
      const result = await done;
      expect(result.code, result.stderr).toBe(0);
      const { run } = JSON.parse(result.stdout) as { run: RunRecord };
      expect(run.status).toBe('succeeded');
      expect(run.runner).toBe('slurm');
      expect(run.jobs.length).toBeGreaterThan(3);
      const arrays = new Set(run.jobs.map((j) => (j.environment as Record<string, unknown>)['arrayJobId']));
      expect(arrays.size).toBe(1);
      expect([...arrays][0]).toMatch(/^\d+$/);
    });

    it('Ctrl-C cancels the jobs on the cluster (scancel) before the CLI exits with 130', async () => {
      const { cluster } = context();
      const cli = startCli(ws, [
        'run',
        'test.sleeper',
        '-e',
        'exp100',
        '-i',
        'i=data:Population=population1 AND number<8',
        '-o',
        'slept',
        '--runner',
        'slurm',
        '--jobs',
        '4',
      ]);
      const until = Date.now() + 60_000;
      while (!(await cluster.activeJobs()).some((line) => line.endsWith('RUNNING'))) {
        if (Date.now() > until) {
          cli.kill('SIGKILL');
          throw new Error(`the sleeper jobs never started:\n${(await cli.done).stderr}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      cli.kill('SIGINT');
      const result = await cli.done;
      expect(result.code, result.stderr).toBe(130);
      expect(result.stdout).toMatch(/cancelled: 4 job\(s\) \(4 cancelled\)/);
      expect(await cluster.activeJobs()).toEqual([]);
    });

    it('--resume after the CLI was killed (-9) runs only the jobs whose outputs were not committed', async () => {
      const { cluster } = context();
      const marker = path.join(ws.path, 'slow.marker');
      const counter = path.join(ws.path, 'executions.log');
      await writeFile(marker, '');
      const tool = nativeTool('test.resumable', 'copies; inputs other than 001 and 003 take a minute while the marker file exists', [
        'sh',
        '-c',
        'case "$1" in *_001.tif|*_003.tif) ;; *) if [ -e "$3" ]; then sleep 60 || exit 1; fi;; esac; echo "$1" >> "$4"; cp "$1" "$2"',
        'sh',
        '{inputs.i}',
        '{outputs.o}',
        '{env.marker}',
        '{env.counter}',
      ]);
      await writeFile(path.join(ws.path, 'tools', 'test.resumable.tool.json'), JSON.stringify(tool));
      const config = JSON.parse(await readFile(path.join(ws.path, 'bioimageit.config.json'), 'utf8')) as { env: Record<string, string> };
      await writeFile(path.join(ws.path, 'bioimageit.config.json'), JSON.stringify({ ...config, env: { ...config.env, marker, counter } }));
      const args = [
        'run',
        'test.resumable',
        '-e',
        'exp100',
        '-i',
        'i=data:Population=population1 AND number<10',
        '-o',
        'resumed',
        '--runner',
        'slurm',
        '--jobs',
        '8',
        '--json',
      ];
      const first = startCli(ws, args);
      const committed = path.join(ws.exp, 'resumed');
      const until = Date.now() + 60_000;
      const outputs = async (): Promise<string[]> => (await readdir(committed).catch(() => [])).filter((f) => f.endsWith('.tif'));
      // Committed means listed in the dataset file (local-fs's commit point), not just moved there.
      const listed = async (): Promise<number> =>
        ((JSON.parse(await readFile(path.join(committed, 'processed_dataset.md.json'), 'utf8').catch(() => '{}')) as { urls?: unknown[] }).urls ?? []).length;
      while ((await listed()) < 2) {
        if (Date.now() > until) {
          first.kill('SIGKILL');
          throw new Error(`the fast jobs were never committed:\n${(await first.done).stderr}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      first.kill('SIGKILL');
      await first.done;
      // The orphaned jobs are still queued or running on the cluster; the resumed run cancels them
      // before it submits anything (their submitter, on this host, is dead).
      const orphans = (await cluster.activeJobs()).map((line) => line.split(' ')[0] as string);
      expect(orphans.length).toBeGreaterThan(0);
      await rm(marker);
      const ranBefore = (await readFile(counter, 'utf8')).split('\n').filter((l) => l !== '');
      expect(ranBefore.map((l) => path.basename(l)).sort()).toEqual(['population1_001.tif', 'population1_003.tif']);

      const second = await startCli(ws, [...args, '--resume']).done;
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toMatch(/slurm: cancelled \d+ job\(s\) left on the cluster by BioImageIT processes of this host that died/);
      // scancel is asynchronous: the orphans leave the queue within SLURM's kill wait.
      const orphansLeft = async (): Promise<string[]> =>
        (await cluster.activeJobs())
          .filter((line) => / (RUNNING|PENDING)$/.test(line))
          .map((line) => line.split(' ')[0] as string)
          .filter((id) => orphans.includes(id));
      for (let i = 0; i < 300 && (await orphansLeft()).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await orphansLeft()).toEqual([]);
      const { run: record, resumed } = JSON.parse(second.stdout) as { run: RunRecord; resumed: boolean };
      expect(resumed).toBe(true);
      expect(record.status).toBe('succeeded');
      const ranAfter = (await readFile(counter, 'utf8'))
        .split('\n')
        .filter((l) => l !== '')
        .slice(ranBefore.length);
      expect(ranAfter.length).toBe(record.jobs.length - 2);
      expect(ranAfter.some((l) => /_00[13]\.tif$/.test(l))).toBe(false);
      expect(await outputs()).toHaveLength(record.jobs.length);
    }, 180_000);
  });
}
