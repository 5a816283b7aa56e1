/**
 * Source of the spawn helper process (see {@link SpawnHelper}), run as
 * `node --eval SOURCE GRACE_MS LEDGER_DIR OWNER_JSON` (CommonJS, no loader, no imports of ours) so
 * it works the same from TypeScript sources and from `dist/`.
 *
 * Protocol over the IPC channel (JSON), one job per `id`:
 * - in:  `{ t: 'spawn', id, file, args, argv0, cwd, env, stdout, stderr, detached, job? }`
 * - out: `{ t: 'spawned', id, pid }`, then `{ t: 'exit', id, code, signal }`; or
 *        `{ t: 'failed', id, stage: 'logs' | 'spawn', message, code }` when nothing was started.
 * - in:  `{ t: 'watch', pid, cwd, job? }` / `{ t: 'unwatch', pid }`: a process group the parent
 *        started itself, to stop like the helper's own when the parent goes (see below).
 *
 * The helper opens the log files in append mode (creating them), hands the descriptors to the tool
 * and closes its own copies, so output goes straight to disk. It never interprets argv (no shell).
 *
 * It is also the jobs' supervisor: when its parent disconnects (it exited, or was killed with
 * `kill -9` and had no chance to clean up) or the helper gets SIGTERM or SIGHUP (a closed
 * terminal), it sends SIGTERM to the process group of every job still running (started by it, or
 * watched), SIGKILL after GRACE_MS to whatever is left, and exits once the groups are empty. So a
 * killed CLI leaves no tool running. It ignores SIGINT: Ctrl-C in a terminal reaches the whole
 * foreground process group, and the parent, which cancels the jobs, still needs their exits.
 *
 * With a LEDGER_DIR (empty: none), it keeps the job ledger (see JobLedger) for every job with a
 * `job` (`{ id, runId? }`): `<owner pid>-<tool pid>.json` written once the tool has run for 100 ms
 * (shorter jobs never cost a file), removed once it ended; the parent spends nothing on it. OWNER_JSON is the parent's
 * `{ pid, start }`. The folder is made private (0700) on first use; one that is not this user's
 * own and private turns the ledger off.
 */
export const SPAWN_HELPER_SOURCE = String.raw`'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const send = (message) => { if (process.connected) process.send(message); };
const closeAll = (fds) => { for (const fd of new Set(fds)) { try { fs.closeSync(fd); } catch {} } };
const graceMs = Math.max(0, Number(process.argv[1]) || 2000);
// The job ledger: one entry file per job with a 'job', written off the parent's path.
let ledgerDir = process.argv[2] || '';
let owner = {};
try { owner = JSON.parse(process.argv[3] || '{}'); } catch {}
if (ledgerDir !== '') {
  try {
    fs.mkdirSync(ledgerDir, { recursive: true, mode: 0o700 });
    const info = fs.lstatSync(ledgerDir);
    if (!info.isDirectory() || (typeof process.getuid === 'function' && info.uid !== process.getuid()) || (info.mode & 0o077) !== 0) ledgerDir = '';
  } catch { ledgerDir = ''; }
}
const entries = new Map(); // pid -> { file, written }
const startTicks = (pid) => {
  try {
    const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return /^\d+$/.test(start) ? start : undefined;
  } catch { return undefined; }
};
// Entries are written once a job has run for a little while: most short jobs never cost a file.
const LEDGER_DELAY_MS = 100;
function record(pid, cwd, job) {
  if (ledgerDir === '' || job === null || typeof job !== 'object' || typeof owner.pid !== 'number') return;
  const start = startTicks(pid);
  const entry = { host: os.hostname(), owner, job: start === undefined ? { pid } : { pid, start }, jobId: String(job.id), cwd: String(cwd), time: new Date().toISOString() };
  if (typeof job.runId === 'string') entry.runId = job.runId;
  const file = path.join(ledgerDir, owner.pid + '-' + pid + '.json');
  const state = { file, timer: undefined, written: undefined };
  state.timer = setTimeout(() => {
    state.timer = undefined;
    // Written whole under a temporary name, then renamed: a helper killed mid-write leaves no half entry a later runner would skip.
    state.written = new Promise((resolve) => fs.writeFile(file + '.tmp', JSON.stringify(entry), { mode: 0o600 }, () => fs.rename(file + '.tmp', file, () => resolve())));
  }, LEDGER_DELAY_MS);
  entries.set(pid, state);
}
function forget(pid) {
  const entry = entries.get(pid);
  if (entry === undefined) return;
  entries.delete(pid);
  if (entry.timer !== undefined) clearTimeout(entry.timer);
  if (entry.written !== undefined) entry.written.then(() => fs.unlink(entry.file, () => {}));
}
// Process groups of the jobs in flight (leader pids): the helper's own tools and watched ones.
const groups = new Set();
let stopping = false;
const signalGroups = (signal) => {
  for (const pid of [...groups]) {
    try { process.kill(-pid, signal); } catch { groups.delete(pid); forget(pid); } // ESRCH: the group is empty
  }
};
function stopAll() {
  if (stopping) return;
  stopping = true;
  signalGroups('SIGTERM');
  const killAt = Date.now() + graceMs;
  let killed = false;
  const exit = () => Promise.all([...entries.values()].map((e) => e.written)).then(() => process.exit(0));
  for (const e of entries.values()) if (e.timer !== undefined) clearTimeout(e.timer); // stopped before they needed one
  const poll = () => {
    signalGroups(0);
    if (groups.size === 0) return void exit();
    if (!killed && Date.now() >= killAt) { killed = true; signalGroups('SIGKILL'); }
    if (killed && Date.now() >= killAt + 2000) return void exit(); // left in the ledger: a later runner tries again
    setTimeout(poll, 20);
  };
  poll();
}
process.on('message', (m) => {
  if (m === null || typeof m !== 'object' || stopping) return;
  if (m.t === 'watch' && Number.isInteger(m.pid) && m.pid > 0) { groups.add(m.pid); record(m.pid, m.cwd, m.job); }
  if (m.t === 'unwatch') { groups.delete(m.pid); forget(m.pid); }
  if (m.t !== 'spawn') return;
  const fds = [];
  try {
    fds.push(fs.openSync(m.stdout, 'a'));
    fds.push(m.stderr === m.stdout ? fds[0] : fs.openSync(m.stderr, 'a'));
  } catch (e) {
    closeAll(fds);
    send({ t: 'failed', id: m.id, stage: 'logs', message: String(e && e.message), code: e && e.code });
    return;
  }
  let child;
  try {
    child = spawn(m.file, m.args, { argv0: m.argv0, cwd: m.cwd, env: m.env, stdio: ['ignore', fds[0], fds[1]], detached: m.detached, shell: false, windowsHide: true });
  } catch (e) {
    closeAll(fds);
    send({ t: 'failed', id: m.id, stage: 'spawn', message: String(e && e.message), code: e && e.code });
    return;
  }
  closeAll(fds);
  if (child.pid !== undefined) send({ t: 'spawned', id: m.id, pid: child.pid });
  if (child.pid !== undefined && m.detached) { groups.add(child.pid); record(child.pid, m.cwd, m.job); }
  child.once('error', (e) => {
    if (child.pid === undefined) send({ t: 'failed', id: m.id, stage: 'spawn', message: String(e && e.message), code: e && e.code });
  });
  child.once('exit', (code, signal) => {
    // While stopping, the group stays listed: what the tool left in it is killed too.
    if (!stopping) { groups.delete(child.pid); forget(child.pid); }
    send({ t: 'exit', id: m.id, code, signal });
  });
});
process.on('disconnect', stopAll);
process.on('SIGTERM', stopAll);
process.on('SIGHUP', stopAll);
// Ctrl-C reaches the whole foreground group: the parent decides what to cancel, the helper stays to report exits.
process.on('SIGINT', () => {});
`;
