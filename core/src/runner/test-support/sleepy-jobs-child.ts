/**
 * Child process of the orphan specs (run with `node --conditions=source --import tsx`): runs
 * `count` jobs at once through a LocalRunner, each a shell that starts a background `sleep`,
 * writes `<n>.pids` (its own pid and the background one's) into `dir`, then sleeps. It never
 * ends by itself: the spec kills it.
 * Usage: sleepy-jobs-child.ts <dir> <count> <helper|watched> <ledgerDir>
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { LocalRunner } from '../local-runner.js';

const [dir, count, mode, ledgerDir] = process.argv.slice(2) as [string, string, 'helper' | 'watched', string];
const runner = new LocalRunner({ ledgerDir, killGraceMs: 1000 });
const never = new AbortController().signal;
await Promise.all(
  Array.from({ length: Number(count) }, async (_, n) => {
    const cwd = path.join(dir, `job-${n}`);
    await mkdir(cwd, { recursive: true });
    const script = `sleep 120 & echo "$$ $!" > "${dir}/${n}.pids.tmp"; mv "${dir}/${n}.pids.tmp" "${dir}/${n}.pids"; wait`;
    return runner.run(
      {
        id: `job-${n}`,
        runId: 'run-orphans',
        argv: ['sh', '-c', script],
        env: {},
        cwd,
        stdoutPath: path.join(cwd, 'out.log'),
        stderrPath: path.join(cwd, 'err.log'),
        // With onOutput the tool starts from this process, and the helper only watches its group.
        ...(mode === 'watched' && { onOutput: () => undefined }),
      },
      never,
    );
  }),
);
