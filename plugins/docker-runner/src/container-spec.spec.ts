import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { RunnerJob } from '@bioimageit/core';
import { containerEnv, containerName, containerSpec, jobMounts, MAX_FILE_MOUNTS, resourceLimits } from './container-spec.js';
import { testTool } from './test-support/test-jobs.js';

const job = (extra: Partial<RunnerJob> = {}): RunnerJob => ({
  id: 'j1',
  argv: ['blur', '--sigma', '2', '$(id)'],
  env: { SIGMA: '2' },
  cwd: '/ws/exp/staging/j1',
  stdoutPath: '/ws/logs/out',
  stderrPath: '/ws/logs/err',
  ...extra,
});
const settings = { user: '1000:1000', networkMode: 'bridge', hostEnv: { USER: 'ana', SECRET: 'x', DISPLAY: ':0' } };

describe('container spec', () => {
  it('passes argv as entrypoint and arguments, never through a shell', () => {
    const spec = containerSpec(job(), 'sha256:abc', '/ws/exp/staging/j1', undefined, settings);
    expect(spec.body).toMatchObject({
      Image: 'sha256:abc',
      Entrypoint: ['blur'],
      Cmd: ['--sigma', '2', '$(id)'],
      WorkingDir: '/ws/exp/staging/j1',
      User: '1000:1000',
      Tty: false,
      OpenStdin: false,
    });
    expect(spec.body['HostConfig']).toMatchObject({ SecurityOpt: ['no-new-privileges:true'], LogConfig: { Type: 'none' } });
  });

  it('has no network unless the tool asks, and then the configured mode', () => {
    expect(containerSpec(job({ tool: testTool('img') }), 'i', '/t', undefined, settings)).toMatchObject({
      networkMode: 'none',
      body: { NetworkDisabled: true },
    });
    const asking = containerSpec(job({ tool: testTool('img', {}, { network: true }) }), 'i', '/t', undefined, settings);
    expect(asking.networkMode).toBe('bridge');
    expect((asking.body['HostConfig'] as Record<string, unknown>)['NetworkMode']).toBe('bridge');
  });

  it('labels the container with the runner, job, run, tool and owning process', () => {
    const spec = containerSpec(job({ runId: 'r9', tool: testTool('img') }), 'i', '/t', undefined, settings);
    expect(spec.body['Labels']).toEqual({
      'org.bioimageit.runner': 'docker',
      'org.bioimageit.job': 'j1',
      'org.bioimageit.run': 'r9',
      'org.bioimageit.tool': 'test.docker-tool@1.0.0',
      'org.bioimageit.owner': `${hostname()}:${process.pid}`,
    });
  });

  it('makes names Docker accepts and that differ per attempt', () => {
    const a = containerName('../weird id/ü');
    expect(a).toMatch(/^bioimageit-weird-id-[0-9a-f]{10}$/);
    expect(containerName('x')).not.toBe(containerName('x'));
  });
});

describe('job mounts', () => {
  it('binds the working directory read-write and inputs read-only at their host paths', () => {
    const mounts = jobMounts(job({ inputPaths: ['/data/a.tif', '/data/b.tif', '/data/a.tif'] }), '/ws/exp/staging/j1/.tmp', '/tools/blur');
    expect(mounts).toEqual([
      { Type: 'bind', Source: '/ws/exp/staging/j1', Target: '/ws/exp/staging/j1', ReadOnly: false },
      { Type: 'bind', Source: '/tools/blur', Target: '/tools/blur', ReadOnly: true },
      { Type: 'bind', Source: '/data/a.tif', Target: '/data/a.tif', ReadOnly: true },
      { Type: 'bind', Source: '/data/b.tif', Target: '/data/b.tif', ReadOnly: true },
    ]);
  });

  it('binds a temporary folder outside the working directory read-write', () => {
    expect(jobMounts(job(), '/scratch/tmp-j1', undefined)).toContainEqual({
      Type: 'bind',
      Source: '/scratch/tmp-j1',
      Target: '/scratch/tmp-j1',
      ReadOnly: false,
    });
  });

  it('binds the folders of inputs instead of each file when there are many', () => {
    const inputs = Array.from({ length: MAX_FILE_MOUNTS + 1 }, (_, i) => `/data/${i % 2 === 0 ? 'even' : 'odd'}/${i}.tif`);
    const mounts = jobMounts(job({ inputPaths: [...inputs, '/data/even/deeper/x.tif'] }), '/ws/exp/staging/j1', undefined);
    expect(mounts.map((m) => [m.Target, m.ReadOnly])).toEqual([
      ['/ws/exp/staging/j1', false],
      ['/data/even', true],
      ['/data/odd', true],
    ]);
  });
});

describe('container environment and limits', () => {
  it('gives locale, HOME, TMPDIR, USER, passed-through and declared variables only', () => {
    const env = containerEnv(job({ passEnv: ['DISPLAY', 'UNSET'], env: { SIGMA: '2', LANG: 'fr_FR.UTF-8' } }), '/t', settings.hostEnv);
    expect(env.sort()).toEqual(['DISPLAY=:0', 'HOME=/t', 'LANG=fr_FR.UTF-8', 'SIGMA=2', 'TMPDIR=/t', 'USER=ana']);
  });

  it("turns the tool's resources into memory (no extra swap), CPU and GPU limits", () => {
    expect(resourceLimits(testTool('i', { memoryMb: 512, cpus: 1.5, gpus: 1 }))).toEqual({
      Memory: 512 * 1024 * 1024,
      MemorySwap: 512 * 1024 * 1024,
      NanoCpus: 1_500_000_000,
      DeviceRequests: [{ Driver: '', Count: 1, Capabilities: [['gpu']] }],
    });
    expect(resourceLimits(testTool('i'))).toEqual({});
    expect(resourceLimits(undefined)).toEqual({});
  });
});
