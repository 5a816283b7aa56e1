import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HelperSpawnFailure, SpawnHelper, type HelperSpawnRequest } from './spawn-helper.js';

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bioimageit-spawn-helper-'));
});
afterEach(async () => rm(scratch, { recursive: true, force: true }));

const request = (args: string[], extra: Partial<HelperSpawnRequest> = {}): HelperSpawnRequest => ({
  file: '/bin/sh',
  args,
  argv0: 'sh',
  cwd: scratch,
  env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  stdout: path.join(scratch, 'out.log'),
  stderr: path.join(scratch, 'err.log'),
  detached: true,
  ...extra,
});

describe.runIf(process.platform !== 'win32')('SpawnHelper', () => {
  it('starts a tool with literal argv, its own environment and appended log files', async () => {
    const helper = new SpawnHelper();
    try {
      const p = helper.launch(request(['-c', 'printf "%s|" "$@"; echo "$FOO" >&2', 'sh', 'a b', '$(id)', 'x; rm -rf ~'], { env: { FOO: 'bar' } }));
      expect(await p.started).toBeGreaterThan(0);
      expect(await p.exited).toEqual({ exitCode: 0, signal: null });
      expect(await readFile(path.join(scratch, 'out.log'), 'utf8')).toBe('a b|$(id)|x; rm -rf ~|');
      expect(await readFile(path.join(scratch, 'err.log'), 'utf8')).toBe('bar\n');
    } finally {
      helper.close();
    }
  });

  it('reports log files it cannot open and executables it cannot start as failures of those stages', async () => {
    const helper = new SpawnHelper();
    try {
      const logs = helper.launch(request(['-c', 'true'], { stdout: path.join(scratch, 'missing/out.log') }));
      await expect(logs.started).rejects.toMatchObject({ stage: 'logs', code: 'ENOENT' });
      const missing = helper.launch(request([], { file: path.join(scratch, 'no-such-tool') }));
      const failure = await missing.exited.catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(HelperSpawnFailure);
      expect(failure).toMatchObject({ stage: 'spawn', code: 'ENOENT' });
    } finally {
      helper.close();
    }
  });

  it('fails the jobs it was watching when it dies, and starts afresh for the next job', async () => {
    const helper = new SpawnHelper();
    try {
      const p = helper.launch(request(['-c', 'sleep 100']));
      const pid = await p.started;
      const helperPid = helper.pid as number;
      expect(helperPid).toBeGreaterThan(0);
      process.kill(helperPid, 'SIGKILL');
      await expect(p.exited).rejects.toMatchObject({ stage: 'helper' });
      process.kill(-pid, 'SIGKILL');
      const next = helper.launch(request(['-c', 'exit 3']));
      expect(await next.exited).toEqual({ exitCode: 3, signal: null });
      expect(helper.pid).not.toBe(helperPid);
      expect(() => process.kill(helperPid, 0)).toThrow(); // the old helper is gone
    } finally {
      helper.close();
    }
  });

  it('stops the tools still running when it is closed (as when its parent dies): SIGTERM, then SIGKILL after the grace period', async () => {
    const helper = new SpawnHelper({ graceMs: 200 });
    const p = helper.launch(request(['-c', 'trap "" TERM; sleep 100 & wait']));
    const pid = await p.started;
    helper.close();
    // Gone: no live process left in the tool's process group. Members killed after their parent
    // died are reparented to PID 1, which may reap them late (or never, in a container): zombies
    // count as gone, whichever member they are.
    const gone = async (): Promise<boolean> => {
      try {
        process.kill(-pid, 0);
      } catch {
        return true;
      }
      const entries = (await readdir('/proc').catch(() => [] as string[])).filter((e) => /^\d+$/.test(e));
      for (const entry of entries) {
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) === pid && fields[0] !== 'Z') return false;
      }
      return true;
    };
    for (let i = 0; i < 400 && !(await gone()); i++) await new Promise((r) => setTimeout(r, 25));
    try {
      expect(await gone()).toBe(true);
    } finally {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // stopped, as it should be
      }
    }
  });

  it('survives the SIGINT a terminal sends to the whole foreground group, and still reports exits', async () => {
    const helper = new SpawnHelper();
    try {
      const p = helper.launch(request(['-c', 'sleep 0.3; exit 4']));
      await p.started;
      process.kill(helper.pid as number, 'SIGINT');
      expect(await p.exited).toEqual({ exitCode: 4, signal: null });
    } finally {
      helper.close();
    }
  });
});
