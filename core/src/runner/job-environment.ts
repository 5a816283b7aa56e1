import os from 'node:os';

/** The host variables a runner reads: `process.env` or a stand-in for tests. */
export type HostEnvironment = Readonly<Record<string, string | undefined>>;

/** PATH used when the host has none. */
export const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Reads a host variable; on Windows names are case-insensitive (`Path`, `PATH`). */
export function hostVariable(host: HostEnvironment, name: string, platform: NodeJS.Platform = process.platform): string | undefined {
  const direct = host[name];
  if (direct !== undefined || platform !== 'win32') return direct;
  const upper = name.toUpperCase();
  for (const [key, value] of Object.entries(host)) if (key.toUpperCase() === upper) return value;
  return undefined;
}

function currentUser(host: HostEnvironment, platform: NodeJS.Platform): string | undefined {
  const named = hostVariable(host, 'USER', platform) ?? hostVariable(host, 'LOGNAME', platform) ?? hostVariable(host, 'USERNAME', platform);
  if (named !== undefined) return named;
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}

/**
 * The minimal environment every local job starts from, computed once per runner: PATH, HOME,
 * LANG (default `C.UTF-8`), LC_ALL when the host sets it, USER; on Windows also the variables
 * programs need to start at all (SystemRoot, windir, PATHEXT, ComSpec, USERPROFILE).
 * Nothing else from the host is included: tokens and credentials in the caller's environment
 * never reach tools.
 */
export function baseEnvironment(host: HostEnvironment, platform: NodeJS.Platform = process.platform): Record<string, string> {
  const base: Record<string, string> = {};
  const set = (name: string, value: string | undefined): void => {
    if (value !== undefined) base[name] = value;
  };
  set('PATH', hostVariable(host, 'PATH', platform) ?? DEFAULT_PATH);
  set('HOME', hostVariable(host, 'HOME', platform) ?? os.homedir());
  set('LANG', hostVariable(host, 'LANG', platform) ?? 'C.UTF-8');
  set('LC_ALL', hostVariable(host, 'LC_ALL', platform));
  set('USER', currentUser(host, platform));
  if (platform === 'win32') {
    for (const name of ['SystemRoot', 'windir', 'PATHEXT', 'ComSpec', 'USERPROFILE']) set(name, hostVariable(host, name, platform));
  }
  return base;
}

/**
 * The environment of one job: the base, then the `passEnv` variables the host sets, then TMPDIR
 * (and TEMP/TMP on Windows) pointing to the job's temporary folder, then the job's declared
 * variables, which win over everything else.
 */
export function jobEnvironment(
  base: Readonly<Record<string, string>>,
  host: HostEnvironment,
  job: { readonly env: Readonly<Record<string, string>>; readonly passEnv?: readonly string[] | undefined },
  tmpDir: string,
  platform: NodeJS.Platform = process.platform,
): Record<string, string> {
  const env: Record<string, string> = { ...base };
  for (const name of job.passEnv ?? []) {
    const value = hostVariable(host, name, platform);
    if (value !== undefined) env[name] = value;
  }
  env['TMPDIR'] = tmpDir;
  if (platform === 'win32') env['TEMP'] = env['TMP'] = tmpDir;
  return Object.assign(env, job.env);
}
