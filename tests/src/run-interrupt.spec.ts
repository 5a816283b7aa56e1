import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, TSX_CLI } from './cli-process.js';
import { countingCopyTool, runJson, runWorkspace, type RunWorkspace } from './run-harness.js';

let ws: RunWorkspace;
let pids: string;
beforeAll(async () => {
  ws = await runWorkspace('bioimageit-run-kill-');
  pids = join(ws.path, 'pids');
  await mkdir(pids);
  // Counts its execution, writes a partial output, sleeps, then writes the real output.
  await ws.addTool(countingCopyTool('test.slowcopy', 'echo "$4 $1" >> "$3"; echo partial > "$2"; sleep 0.25; cp "$1" "$2"'));
  // Writes its pid into the pids folder, then sleeps long: only cancellation ends it.
  await ws.addTool({
    id: 'test.sleepy',
    inputs: [{ name: 'i', type: 'data' }],
    outputs: [{ name: 'o', format: 'imagetiff' }],
    command: { argv: ['sh', '-c', 'echo partial > "$1"; echo $$ > "$2/$$"; exec sleep 60', 'sh', '{outputs.o}', pids] },
  });
});
afterAll(() => ws.cleanup());

const until = async (check: () => Promise<boolean>, what: string): Promise<void> => {
  for (let i = 0; i < 1500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
};
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('bioimageit run: interruption', () => {
  it('resumes after kill -9: every job committed exactly once, no partial output registered', async () => {
    const args = ['run', 'test.slowcopy', '-e', 'exp100', '-i', 'i=data:Population=population1 AND number<24', '-o', 'slow'];
    const { child, done } = startCli(TSX_CLI, args, ws.path);
    await until(async () => (await ws.items('slow').catch(() => [])).length >= 3, 'some committed outputs');
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    const before = await ws.items('slow');
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThan(12);
    const [crashed] = await ws.runs('slow');
    expect(crashed?.status).toBe('running');

    const resumed = await ws.run([...args, '--resume', '--no-cache', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const { run, resumed: didResume } = runJson(resumed);
    expect(didResume).toBe(true);
    expect(run.id).toBe(crashed?.id);
    expect(run.status).toBe('succeeded');
    expect(run.jobs).toHaveLength(12);
    expect((await ws.runs('slow')).map((r) => [r.id, r.status])).toEqual([[crashed?.id, 'succeeded']]);

    const after = await ws.items('slow');
    expect(after).toHaveLength(12);
    const byInput = new Map<string, number>();
    for (const item of after) {
      const input = item.origin.type === 'processed' ? (item.origin.inputs[0]?.id as string) : '';
      byInput.set(input, (byInput.get(input) ?? 0) + 1);
      const source = (await ws.items('data')).find((r) => r.id === input);
      expect(Buffer.compare(await readFile(fileURLToPath(item.dataUri)), await readFile(fileURLToPath(source?.dataUri as string)))).toBe(0);
    }
    expect([...byInput.values()].every((n) => n === 1)).toBe(true);
    const raw = await ws.items('data');
    for (const item of after) {
      const input = raw.find((r) => item.origin.type === 'processed' && r.id === item.origin.inputs[0]?.id);
      expect(item.name).toBe(`o_${input?.name.replace(/\.tif$/, '')}`);
    }
    // Jobs committed before the kill did not run again.
    const lines = await ws.executions();
    for (const item of before) {
      const stem = item.name.replace(/^o_/, '').replace(/\.tif$/, '');
      expect(lines.filter((l) => l.includes(`/${stem}.tif`))).toHaveLength(1);
    }
  });

  it('cancels on Ctrl-C: running tools killed, nothing committed, run cancelled, exit code 130', async () => {
    const { child, done } = startCli(TSX_CLI, ['run', 'test.sleepy', '-e', 'exp100', '-i', 'i=data:number<5', '-o', 'sleepy', '--jobs', '2'], ws.path);
    await until(async () => (await readdir(pids)).length === 2, 'two running tools');
    const started = (await readdir(pids)).map(Number);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/cancelling/);
    expect(result.stderr).toMatch(/logs: .*\/exp100\/sleepy\/logs\/[0-9a-f-]+/);
    expect(result.stdout).toMatch(/cancelled: 4 job\(s\) \(4 cancelled\)/);
    expect(started.filter(alive)).toEqual([]);
    expect(await ws.items('sleepy')).toEqual([]);
    const [run] = await ws.runs('sleepy');
    expect(run?.status).toBe('cancelled');
    expect(run?.jobs.map((j) => j.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });
});
