import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCapabilityProber } from './capabilities.js';
import { validatePluginManifest } from './plugin-manifest.js';

const base = { id: 'apptainer-runner', engines: { core: '^0.1.0' }, module: './module' };
const validate = (extra: Record<string, unknown>) => validatePluginManifest({ ...base, ...extra }, '@lab/apptainer-runner', '0.1.0');

describe('runner declarations in plugin manifests', () => {
  it('reads the requirements a runner satisfies, with its priority and fallback rules', () => {
    const manifest = validate({ contributes: { runners: [{ id: 'apptainer', satisfies: ['apptainer', 'native.plugin'], priority: 5 }, { id: 'queue' }] } });
    expect(manifest.contributes.runners).toEqual([
      { id: 'apptainer', satisfies: ['apptainer', 'native.plugin'], priority: 5, whenUnavailable: 'local' },
      { id: 'queue', satisfies: [], priority: 0, whenUnavailable: 'local' },
    ]);
    expect(
      validate({ contributes: { runners: [{ id: 'x', satisfies: ['conda'], warnWhenMissing: [], whenUnavailable: 'fail' }] } }).contributes.runners,
    ).toEqual([{ id: 'x', satisfies: ['conda'], priority: 0, warnWhenMissing: [], whenUnavailable: 'fail' }]);
  });

  it('rejects bad declarations naming the package and the field', () => {
    const field = (runner: unknown, path: string) =>
      expect(() => validate({ contributes: { runners: [runner] } })).toThrow(
        `plugin package '@lab/apptainer-runner': manifest field 'bioimageit.contributes.runners[0]${path}'`,
      );
    field('apptainer', '');
    field({ id: 'Apptainer' }, '.id');
    field({ id: 'a', satisfies: 'apptainer' }, '.satisfies');
    field({ id: 'a', satisfies: ['Apptainer image'] }, '.satisfies[0]');
    field({ id: 'a', priority: 'high' }, '.priority');
    field({ id: 'a', whenUnavailable: 'retry' }, '.whenUnavailable');
    field({ id: 'a', satisfied: ['x'] }, '.satisfied');
    expect(() => validate({ contributes: { runners: {} } })).toThrow("'bioimageit.contributes.runners' must be an array");
  });
});

describe('command declarations in plugin manifests', () => {
  it('reads the commands a plugin contributes: name, one-line summary, module', () => {
    const commands = [{ name: 'hello', summary: 'say hello', module: './cli' }];
    expect(validate({ contributes: { commands } }).contributes.commands).toEqual(commands);
    expect(validate({}).contributes.commands).toBeUndefined();
  });

  it('rejects bad declarations naming the package and the field', () => {
    const field = (commands: unknown, path: string) =>
      expect(() => validate({ contributes: { commands } })).toThrow(
        `plugin package '@lab/apptainer-runner': manifest field 'bioimageit.contributes.commands${path}'`,
      );
    const ok = { name: 'hello', summary: 'say hello', module: './cli' };
    field({}, '');
    field(['hello'], '[0]');
    field([{ ...ok, name: 'Hello' }], '[0].name');
    field([ok, ok], '[1].name');
    field([{ ...ok, summary: '' }], '[0].summary');
    field([{ ...ok, summary: 'two\nlines' }], '[0].summary');
    field([{ ...ok, module: 'cli.js' }], '[0].module');
    field([{ ...ok, commander: true }], '[0].commander');
  });
});

describe('capability probes in plugin manifests', () => {
  it('accepts any capability name and a declarative probe for it', () => {
    const probes = {
      apptainer: { anyOf: [{ onPath: 'apptainer' }, { env: 'APPTAINER_HOST', matches: '^tcp://' }], reason: 'apptainer is not on PATH', fix: 'install it' },
    };
    expect(validate({ requires: ['apptainer', 'network'], probes })).toMatchObject({ requires: ['apptainer', 'network'], probes });
    expect(validate({}).probes).toEqual({});
  });

  it('rejects bad probes naming the package and the field', () => {
    const field = (probes: unknown, path: string, requires = ['gpu']) =>
      expect(() => validate({ requires, probes })).toThrow(`plugin package '@lab/apptainer-runner': manifest field 'bioimageit.${path}'`);
    field([], 'probes');
    field({ cuda: { anyOf: [{ onPath: 'nvidia-smi' }], reason: 'r' } }, 'probes.cuda');
    field({ gpu: { anyOf: [], reason: 'r' } }, 'probes.gpu.anyOf');
    field({ gpu: { anyOf: [{ onPath: 'x' }] } }, 'probes.gpu.reason');
    field({ gpu: { anyOf: [{ onPath: 'x' }], reason: 'r', fix: '' } }, 'probes.gpu.fix');
    field({ gpu: { anyOf: [{ onPath: 'x' }], reason: 'r', timeout: 3 } }, 'probes.gpu.timeout');
    field({ gpu: { anyOf: [{ onPath: 'x', file: '/dev/x' }], reason: 'r' } }, 'probes.gpu.anyOf[0]');
    field({ gpu: { anyOf: [{ env: 'X', matches: '(' }], reason: 'r' } }, 'probes.gpu.anyOf[0].matches');
    field({ gpu: { anyOf: [{ env: 'not a name' }], reason: 'r' } }, 'probes.gpu.anyOf[0].env');
    field({ gpu: { anyOf: [{ file: '/x', fromEnv: 'X' }], reason: 'r' } }, 'probes.gpu.anyOf[0].fromEnv');
    field({ gpu: { anyOf: [{ onPath: 'x', matches: 'y' }], reason: 'r' } }, 'probes.gpu.anyOf[0].matches');
  });
});

describe('the generic capability probe evaluator', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'biit-probe-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The probe the docker-runner plugin declares in its package.json. */
  const socketProbe = {
    anyOf: [
      { env: 'DOCKER_HOST', matches: '^(?!unix://)' },
      { file: '/nonexistent/docker.sock', fromEnv: { name: 'DOCKER_HOST', prefix: 'unix://' } },
    ],
    reason: 'no Docker Engine socket at {file}',
    fix: 'start dockerd or set DOCKER_HOST',
  };

  it('evaluates env, file (from a variable) and PATH checks', async () => {
    expect(defaultCapabilityProber({})('docker', socketProbe)).toEqual({
      available: false,
      reason: 'no Docker Engine socket at /nonexistent/docker.sock (start dockerd or set DOCKER_HOST)',
    });
    expect(defaultCapabilityProber({ DOCKER_HOST: 'tcp://10.0.0.1:2375' })('docker', socketProbe)).toEqual({ available: true });
    expect(defaultCapabilityProber({ DOCKER_HOST: `unix://${dir}/nowhere.sock` })('docker', socketProbe).reason).toBe(
      `no Docker Engine socket at ${dir}/nowhere.sock (start dockerd or set DOCKER_HOST)`,
    );
    await writeFile(join(dir, 'docker.sock'), '');
    expect(defaultCapabilityProber({ DOCKER_HOST: `unix://${dir}/docker.sock` })('docker', socketProbe)).toEqual({ available: true });
    const batch = { anyOf: [{ onPath: 'sbatch' }], reason: 'sbatch is not on PATH', fix: 'install slurm-client' };
    expect(defaultCapabilityProber({ PATH: dir })('slurm', batch)).toEqual({ available: false, reason: 'sbatch is not on PATH (install slurm-client)' });
    await writeFile(join(dir, 'sbatch'), '');
    expect(defaultCapabilityProber({ PATH: `/nonexistent:${dir}` })('slurm', batch)).toEqual({ available: true });
  });

  it('assumes a capability without a declared probe is present (its plugin checks it when activating)', () => {
    expect(defaultCapabilityProber({})('network', undefined)).toEqual({ available: true });
  });
});
