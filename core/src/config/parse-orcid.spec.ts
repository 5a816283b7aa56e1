import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE } from './kernel-config.js';
import { loadKernelConfig, writeInitialConfig } from './load-config.js';
import { orcidUrl, parseOrcid } from './parse-orcid.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-orcid-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseOrcid', () => {
  it('accepts iDs whose check digit matches, bare or as orcid.org URLs, X as check digit', () => {
    expect(parseOrcid('0000-0002-1825-0097')).toBe('0000-0002-1825-0097');
    expect(parseOrcid('https://orcid.org/0000-0001-5109-3700')).toBe('0000-0001-5109-3700');
    expect(parseOrcid('0000-0002-1694-233x')).toBe('0000-0002-1694-233X');
    expect(orcidUrl('0000-0002-1825-0097')).toBe('https://orcid.org/0000-0002-1825-0097');
  });

  it('refuses a wrong check digit and other forms', () => {
    for (const bad of [
      '0000-0002-1825-0098',
      '0000-0002-1694-2330',
      '0000000218250097',
      '0000-0002-1825-009',
      'ada',
      'https://example.org/0000-0002-1825-0097',
    ])
      expect(parseOrcid(bad), bad).toBeUndefined();
  });
});

describe('workspace config: user.orcid and license', () => {
  const write = (body: unknown) => writeFile(join(dir, CONFIG_FILE), JSON.stringify(body));

  it('reads the ORCID iD (normalized) and the licence, keeping the iD when the environment sets the user name', async () => {
    await write({ user: { name: 'Ada Lovelace', orcid: 'https://orcid.org/0000-0002-1825-0097' }, license: 'CC0-1.0' });
    const config = await loadKernelConfig({ cwd: dir, env: { BIOIMAGEIT_USER: 'ada' } });
    expect(config.user).toEqual({ name: 'ada', orcid: '0000-0002-1825-0097' });
    expect(config.license).toBe('CC0-1.0');
    await write({ licence: 'https://example.org/licence.html' });
    expect((await loadKernelConfig({ cwd: dir, env: {} })).license).toBe('https://example.org/licence.html');
  });

  it('names the file and the key of a bad ORCID iD or licence', async () => {
    const file = join(dir, CONFIG_FILE);
    await write({ user: { name: 'ada', orcid: '0000-0002-1825-0098' } });
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining(`${file}: 'user.orcid' must be an ORCID iD such as 0000-0002-1825-0097`),
    });
    await write({ license: 'CC BY 4.0' });
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toThrow(`${file}: 'license' must be an SPDX licence identifier`);
    await write({ license: 'MIT', licence: 'MIT' });
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toThrow(/'licence' and 'license' are the same setting/);
  });

  it('writes the licence and the ORCID iD into a new workspace config', async () => {
    await writeInitialConfig(dir, 'ada', { license: 'CC-BY-4.0', orcid: '0000-0002-1825-0097' });
    const written = JSON.parse(await readFile(join(dir, CONFIG_FILE), 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({ user: { name: 'ada', orcid: '0000-0002-1825-0097' }, license: 'CC-BY-4.0' });
    expect((await loadKernelConfig({ cwd: dir, env: {} })).license).toBe('CC-BY-4.0');
  });
});
