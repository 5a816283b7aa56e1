import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolManifest, loadV1Wrapper, RunnerError, ToolError, type CondaRequirement } from '@bioimageit/core';
import { channelUrl, condaSettings } from './conda-settings.js';
import { condaPlatform, environmentSpecOf, type SolvedEnvironmentSpec } from './environment-spec.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-spec-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const settings = () => ({ ...condaSettings('/ws', {}), envsDir: '/ws/envs' });
const tool = (conda: CondaRequirement | undefined) =>
  createToolManifest(
    {
      id: 'test.t',
      name: 'T',
      version: '1.0.0',
      description: 'd',
      inputs: [],
      outputs: [],
      command: { argv: ['t'] },
      ...(conda !== undefined && { requirements: { conda } }),
    },
    path.join(dir, 't.tool.json'),
  );
const solved = async (conda: CondaRequirement) => (await environmentSpecOf(tool(conda), settings(), 'linux-64')) as SolvedEnvironmentSpec;

describe('environmentSpecOf', () => {
  it('gives the same hash whatever the order or spacing of specs, and a new one for any change', async () => {
    const a = await solved({ packages: ['numpy >=1.2', 'python=3.11'], channels: ['conda-forge'] });
    const b = await solved({ packages: ['python=3.11', ' numpy  >=1.2 '], channels: ['conda-forge'], env: 'a-name-only-shown' });
    expect(b.hash).toBe(a.hash);
    expect(a.specs).toEqual(['numpy >=1.2', 'python=3.11']);
    expect(a.channels).toEqual(['https://conda.anaconda.org/conda-forge/']);
    const changed = await Promise.all([
      solved({ packages: ['numpy >=1.3', 'python=3.11'], channels: ['conda-forge'] }),
      solved({ packages: ['numpy >=1.2', 'python=3.11'], channels: ['bioconda'] }),
      solved({ packages: ['numpy >=1.2', 'python=3.11'], channels: ['conda-forge'], init: 'pip install x' }),
    ]);
    expect(new Set([a.hash, ...changed.map((c) => c.hash)]).size).toBe(4);
    expect((await environmentSpecOf(tool({ packages: ['numpy'] }), settings(), 'osx-arm64')) as SolvedEnvironmentSpec).not.toMatchObject({
      hash: (await solved({ packages: ['numpy'] })).hash,
    });
  });

  it('uses the default channels when none are given', async () => {
    expect((await solved({ packages: ['numpy'] })).channels).toEqual(['https://conda.anaconda.org/conda-forge/']);
  });

  it('reads an environment file next to the manifest: its channels first, pip specs kept', async () => {
    await writeFile(path.join(dir, 'env.yml'), 'name: seg\nchannels:\n  - bioconda\ndependencies:\n  - scipy\n  - pip:\n    - cellpose\n');
    const spec = await solved({ file: 'env.yml', channels: ['conda-forge'] });
    expect(spec).toMatchObject({
      specs: ['scipy'],
      pip: ['cellpose'],
      label: 'seg',
      channels: ['https://conda.anaconda.org/bioconda/', 'https://conda.anaconda.org/conda-forge/'],
    });
  });

  it('names a missing environment file', async () => {
    await expect(environmentSpecOf(tool({ file: 'missing.yml' }), settings(), 'linux-64')).rejects.toThrow(ToolError);
    await expect(environmentSpecOf(tool({ file: 'missing.yml' }), settings(), 'linux-64')).rejects.toThrow(path.join(dir, 'missing.yml'));
  });

  it('takes an environment name or path without packages as an existing environment', async () => {
    expect(await environmentSpecOf(tool({ env: 'cellpose' }), settings(), 'linux-64')).toEqual({ kind: 'existing', name: 'cellpose' });
    expect(await environmentSpecOf(tool({ env: '/opt/envs/seg' }), settings(), 'linux-64')).toEqual({ kind: 'existing', prefix: '/opt/envs/seg' });
  });

  it('refuses a tool without a conda requirement', async () => {
    await expect(environmentSpecOf(tool(undefined), settings(), 'linux-64')).rejects.toThrow(RunnerError);
  });

  it('reads the conda requirement of a v1 wrapper (<package type="conda" env=...> with -c channels)', async () => {
    const xml = [
      '<tool id="biitstamp" name="Stamp" version="1.0.0">',
      '  <description>d</description>',
      '  <requirements>',
      '    <package type="conda" env="biitstamp" version="1.0.0">-c conda-forge biit-stamp</package>',
      '  </requirements>',
      '  <command>biit-stamp ${i} ${o}</command>',
      '  <inputs><param name="i" type="data" format="tablecsv" label="in"/></inputs>',
      '  <outputs><data name="o" format="tablecsv" label="out"/></outputs>',
      '</tool>',
    ].join('\n');
    const file = path.join(dir, 'biitstamp.xml');
    await writeFile(file, xml);
    const spec = (await environmentSpecOf(await loadV1Wrapper(file), settings(), 'linux-64')) as SolvedEnvironmentSpec;
    expect(spec.kind).toBe('solved');
    expect(spec.channels).toEqual(['https://conda.anaconda.org/conda-forge/']);
    expect(spec.specs.some((s) => s.startsWith('biit-stamp'))).toBe(true);
    expect(spec.label).toBe('biitstamp');
  });
});

describe('channelUrl and condaPlatform', () => {
  it('expands names with the alias and keeps URLs and paths', () => {
    expect(channelUrl('bioconda', 'https://mirror.example/')).toBe('https://mirror.example/bioconda/');
    expect(channelUrl('http://127.0.0.1:8000', 'x/')).toBe('http://127.0.0.1:8000/');
    expect(channelUrl('/srv/channel', 'x/')).toBe('file:///srv/channel/');
  });

  it('names conda subdirs', () => {
    expect(condaPlatform('linux', 'x64')).toBe('linux-64');
    expect(condaPlatform('linux', 'arm64')).toBe('linux-aarch64');
    expect(condaPlatform('darwin', 'arm64')).toBe('osx-arm64');
    expect(condaPlatform('win32', 'x64')).toBe('win-64');
  });
});
