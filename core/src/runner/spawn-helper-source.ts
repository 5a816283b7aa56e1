/**
 * Source of the spawn helper process (see {@link SpawnHelper}), run as `node --eval` (CommonJS,
 * no loader, no imports of ours) so it works the same from TypeScript sources and from `dist/`.
 *
 * Protocol over the IPC channel (JSON), one job per `id`:
 * - in:  `{ t: 'spawn', id, file, args, argv0, cwd, env, stdout, stderr, detached }`
 * - out: `{ t: 'spawned', id, pid }`, then `{ t: 'exit', id, code, signal }`; or
 *        `{ t: 'failed', id, stage: 'logs' | 'spawn', message, code }` when nothing was started.
 *
 * The helper opens the log files in append mode (creating them), hands the descriptors to the tool
 * and closes its own copies, so output goes straight to disk. It never interprets argv (no shell)
 * and exits when its parent disconnects. It ignores SIGINT: Ctrl-C in a terminal reaches the
 * whole foreground process group, and the parent, which cancels the jobs, still needs their exits.
 */
export const SPAWN_HELPER_SOURCE = String.raw`'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const send = (message) => { if (process.connected) process.send(message); };
const closeAll = (fds) => { for (const fd of new Set(fds)) { try { fs.closeSync(fd); } catch {} } };
process.on('message', (m) => {
  if (m === null || typeof m !== 'object' || m.t !== 'spawn') return;
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
  child.once('error', (e) => {
    if (child.pid === undefined) send({ t: 'failed', id: m.id, stage: 'spawn', message: String(e && e.message), code: e && e.code });
  });
  child.once('exit', (code, signal) => send({ t: 'exit', id: m.id, code, signal }));
});
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole foreground group: the parent decides what to cancel, the helper stays to report exits.
process.on('SIGINT', () => {});
`;
