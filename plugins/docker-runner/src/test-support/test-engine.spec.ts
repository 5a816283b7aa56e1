import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REQUIRE_PARTS_ENV, SKIP_LOG_ENV, skipWithout, WITHOUT_PARTS_ENV } from '@bioimageit/core/testing';
import { engineMissing, type HostProbe } from './test-engine.js';

/** Why the daemon-backed suites skip: the probe's reasons, for hosts that lack each piece. */
describe('engineMissing', () => {
  let bin: string;
  beforeEach(async () => {
    bin = await mkdtemp(path.join(tmpdir(), 'biit-engine-probe-'));
  });
  afterEach(async () => {
    await rm(bin, { recursive: true, force: true });
  });

  /** A probe whose PATH is one fresh folder holding (empty) files named `commands`. */
  const withCommands = async (...commands: string[]): Promise<HostProbe> => {
    const dir = await mkdtemp(path.join(bin, 'bin-'));
    for (const c of commands) await writeFile(path.join(dir, c), '');
    return { platform: 'linux', uid: 0, path: `${dir}${path.delimiter}` };
  };

  it('needs Linux and root', async () => {
    const all = await withCommands('dockerd', 'containerd', 'runc', 'busybox', 'podman', 'conmon');
    expect(engineMissing('docker', { ...all, platform: 'darwin' })).toBe('dockerd runs only on Linux (this is darwin)');
    expect(engineMissing('podman', { ...all, uid: 1000 })).toBe('starting a private podman system service needs root');
    expect(engineMissing('docker', { ...all, uid: undefined })).toBe('starting a private dockerd needs root');
  });

  it('names every command missing from PATH, and the packages that bring them', async () => {
    expect(engineMissing('docker', { platform: 'linux', uid: 0, path: '' })).toBe(
      'dockerd, containerd, runc, busybox are not on PATH (Debian: docker.io busybox-static)',
    );
    expect(engineMissing('docker', await withCommands('dockerd', 'containerd', 'runc'))).toBe('busybox is not on PATH (Debian: docker.io busybox-static)');
    // Podman's package may bring crun instead of runc, which fails here (feasibility notes): runc is required.
    expect(engineMissing('podman', await withCommands('podman', 'conmon', 'busybox'))).toBe('runc is not on PATH (Debian: podman runc busybox-static)');
  });

  it('finds nothing missing when every command is on PATH', async () => {
    const all = await withCommands('dockerd', 'containerd', 'runc', 'busybox', 'podman', 'conmon');
    expect(engineMissing('docker', all)).toBeUndefined();
    expect(engineMissing('podman', all)).toBeUndefined();
  });

  it('makes a suite skip, or fail when the run requires the part', async () => {
    const why = engineMissing('podman', await withCommands('podman', 'conmon', 'busybox'));
    const saved = {
      [REQUIRE_PARTS_ENV]: process.env[REQUIRE_PARTS_ENV],
      [SKIP_LOG_ENV]: process.env[SKIP_LOG_ENV],
      [WITHOUT_PARTS_ENV]: process.env[WITHOUT_PARTS_ENV],
    };
    try {
      delete process.env[REQUIRE_PARTS_ENV];
      delete process.env[WITHOUT_PARTS_ENV]; // the Node-version runs leave podman out
      delete process.env[SKIP_LOG_ENV]; // this skip is a rehearsal: keep it out of the run's summary
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const skipped = skipWithout('podman', why, import.meta.url);
      const warned = warn.mock.calls.map((args) => String(args[0]));
      warn.mockRestore();
      expect(skipped).toBe(true);
      expect(warned).toEqual([expect.stringContaining("needs 'podman': runc is not on PATH")]);
      expect(skipWithout('podman', undefined, import.meta.url)).toBe(false);
      process.env[REQUIRE_PARTS_ENV] = 'docker,podman';
      expect(() => skipWithout('podman', why, import.meta.url)).toThrow(/requires the system part 'podman'.*runc is not on PATH/);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
