import { describe, expect, it } from 'vitest';
import { baseEnvironment, DEFAULT_PATH, hostVariable, jobEnvironment } from './job-environment.js';

describe('job environment', () => {
  const host = { PATH: '/opt/bin:/usr/bin', HOME: '/home/ada', USER: 'ada', SECRET_TOKEN: 't0ken', AWS_SECRET_ACCESS_KEY: 'k', DISPLAY: ':0' };

  it('keeps only PATH, HOME, LANG, USER (and LC_ALL when set) from the host', () => {
    expect(baseEnvironment(host, 'linux')).toEqual({ PATH: '/opt/bin:/usr/bin', HOME: '/home/ada', LANG: 'C.UTF-8', USER: 'ada' });
    expect(baseEnvironment({ ...host, LANG: 'fr_FR.UTF-8', LC_ALL: 'C' }, 'linux')).toMatchObject({ LANG: 'fr_FR.UTF-8', LC_ALL: 'C' });
  });

  it('falls back to a default PATH when the host has none', () => {
    expect(baseEnvironment({ HOME: '/h', USER: 'u' }, 'linux')['PATH']).toBe(DEFAULT_PATH);
  });

  it('layers base, passEnv, TMPDIR and declared variables, declared last', () => {
    const base = baseEnvironment(host, 'linux');
    const env = jobEnvironment(base, host, { env: { USER: 'tool', EXTRA: '1' }, passEnv: ['DISPLAY', 'MISSING'] }, '/w/.tmp', 'linux');
    expect(env).toEqual({ PATH: '/opt/bin:/usr/bin', HOME: '/home/ada', LANG: 'C.UTF-8', USER: 'tool', DISPLAY: ':0', TMPDIR: '/w/.tmp', EXTRA: '1' });
    expect(jobEnvironment(base, host, { env: { TMPDIR: '/mine' } }, '/w/.tmp', 'linux')['TMPDIR']).toBe('/mine');
  });

  it('reads Windows variables case-insensitively and sets TEMP/TMP there', () => {
    const win = { Path: 'C:\\bin', SystemRoot: 'C:\\Windows', USERNAME: 'ada' };
    expect(hostVariable(win, 'PATH', 'win32')).toBe('C:\\bin');
    expect(hostVariable(win, 'PATH', 'linux')).toBeUndefined();
    const env = jobEnvironment(baseEnvironment(win, 'win32'), win, { env: {} }, 'C:\\t', 'win32');
    expect(env).toMatchObject({ PATH: 'C:\\bin', SystemRoot: 'C:\\Windows', USER: 'ada', TEMP: 'C:\\t', TMP: 'C:\\t' });
  });
});
