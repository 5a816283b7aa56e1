import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Writes a tar of a minimal root file system — busybox-static as `/bin/busybox`, a relative
 * symlink per applet (`sh`, `cat`, `tail`, `sha256sum`...), a world-writable `/tmp` — into
 * `workDir` and returns its path. Tool images of the tests are made from it with `docker import`
 * (or served as a layer by the test registry); nothing is pulled.
 */
export async function busyboxRootfsTar(workDir: string): Promise<string> {
  const root = await mkdtemp(path.join(workDir, 'rootfs-'));
  // mkdtemp makes 0700, and the tar's '.' entry gives the image's `/` its mode on Podman: keep it 0755.
  await chmod(root, 0o755);
  await mkdir(path.join(root, 'bin'));
  await mkdir(path.join(root, 'tmp'));
  await chmod(path.join(root, 'tmp'), 0o1777);
  const busybox = (await run('sh', ['-c', 'command -v busybox'])).stdout.trim();
  await copyFile(busybox, path.join(root, 'bin', 'busybox'));
  await chmod(path.join(root, 'bin', 'busybox'), 0o755);
  const applets = (await run(busybox, ['--list'])).stdout.split('\n').filter((a) => a !== '' && a !== 'busybox');
  await Promise.all(applets.map((a) => symlink('busybox', path.join(root, 'bin', a))));
  const tar = `${root}.tar`;
  await run('tar', ['-C', root, '-cf', tar, '.']);
  await rm(root, { recursive: true, force: true });
  return tar;
}
