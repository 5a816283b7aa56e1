import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const setup = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'scripts/setup-system.mjs'), ...args], { encoding: 'utf8' });
const root = process.getuid?.() === 0;

/** `npm run setup:system`, rehearsed with --dry-run (nothing is installed). */
describe('setup:system', () => {
  const catalog = JSON.parse(readFileSync(join(REPO, 'scripts/system-parts.json'), 'utf8')) as { parts: Record<string, { apt?: string[]; how?: string }> };

  it('knows every part a spec names, each either with Debian packages or with what brings it', () => {
    for (const [id, part] of Object.entries(catalog.parts)) expect(part.apt !== undefined || part.how !== undefined, id).toBe(true);
    for (const id of ['python', 'fftw', 'docker', 'podman', 'slurm', 'chromium', 'cph', 'debootstrap', 'nvcc', 'gpu', 'conda'])
      expect(Object.keys(catalog.parts)).toContain(id);
  });

  it('says what it installs for the named parts, once per package', () => {
    const out = setup('--dry-run', 'docker', 'podman');
    expect(out.stdout).toMatch(/^setup:system: docker: Docker Engine/m);
    expect(out.stdout).toMatch(/^ {4}apt: podman runc busybox-static$/m);
    if (/apt-get not found/.test(out.stderr)) {
      expect(out.status).toBe(1);
      return;
    }
    if (!root && out.status !== 0) {
      expect(out.stderr).toMatch(
        /needs root or sudo\. As root, run:\n {2}apt-get update && apt-get install -y --no-install-recommends busybox-static docker.io podman runc/,
      );
      return;
    }
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/apt-get install -y -qq --no-install-recommends busybox-static docker\.io podman runc$/m);
    expect(out.stdout).toMatch(/would install 4 package\(s\) for docker, podman\./);
  });

  it('names what Debian does not have, and refuses an unknown part naming the known ones', () => {
    const nvcc = setup('--dry-run', 'nvcc');
    expect(nvcc.status).toBe(1);
    expect(nvcc.stdout).toMatch(/nvcc: .*\n {4}not installed by this script: not in Debian's archive/);
    const unknown = setup('--dry-run', 'dockr');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown part\(s\) dockr \(known: python, libtiff, fftw, docker,/);
  });
});
