import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '@bioimageit/core';

/** Variables `conda activate` / `conda run -p PREFIX` set before any activate.d script runs. */
export function condaVariables(prefix: string, basePath: string): Record<string, string> {
  return {
    PATH: `${path.join(prefix, 'bin')}${path.delimiter}${basePath}`,
    CONDA_PREFIX: prefix,
    CONDA_DEFAULT_ENV: prefix,
    CONDA_SHLVL: '1',
    CONDA_PROMPT_MODIFIER: `(${prefix}) `,
  };
}

/** The variables a prefix sets on activation (`conda-meta/state` → `env_vars`, as `conda env config vars set` writes them). */
export async function stateVariables(prefix: string): Promise<Record<string, string>> {
  const text = await readFile(path.join(prefix, 'conda-meta', 'state'), 'utf8').catch(() => undefined);
  if (text === undefined) return {};
  try {
    const vars = (JSON.parse(text) as { env_vars?: unknown }).env_vars;
    if (typeof vars !== 'object' || vars === null) return {};
    return Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

/** Writes `variables` into `conda-meta/state` (`env_vars`, merged with what is there), where conda, mamba and this runner read them. */
export async function writeStateVariables(prefix: string, variables: Readonly<Record<string, string>>): Promise<void> {
  const file = path.join(prefix, 'conda-meta', 'state');
  const current = await readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as Record<string, unknown>,
    () => ({}) as Record<string, unknown>,
  );
  const envVars = typeof current['env_vars'] === 'object' && current['env_vars'] !== null ? (current['env_vars'] as Record<string, string>) : {};
  await writeFile(file, `${JSON.stringify({ ...current, env_vars: { ...envVars, ...variables } }, null, 2)}\n`);
}

/** The activation scripts of a prefix, in the order conda sources them (`etc/conda/activate.d/*.sh`, sorted). */
export async function activationScripts(prefix: string): Promise<string[]> {
  const dir = path.join(prefix, 'etc', 'conda', 'activate.d');
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.sh'))
    .sort()
    .map((n) => path.join(dir, n));
}

const SCRIPT_VAR = '__BIOIMAGEIT_ACTIVATE_';

/**
 * The variables a tool in the prefix runs with, as `conda run -p PREFIX` gives them: `base` plus
 * the conda variables and the prefix's `conda-meta/state` variables, then whatever the prefix's
 * `etc/conda/activate.d/*.sh` scripts export
 * (sourced in order by `sh`, in the prefix folder, with `base` only: no host variable reaches them).
 * Returns only what differs from `base`. Throws RunnerError UNAVAILABLE naming the prefix and the
 * script output when activation fails.
 */
export async function activatedVariables(prefix: string, base: Readonly<Record<string, string>>, timeoutMs = 60_000): Promise<Record<string, string>> {
  const conda = { ...condaVariables(prefix, base['PATH'] ?? ''), ...(await stateVariables(prefix)) };
  const scripts = await activationScripts(prefix);
  if (scripts.length === 0) return conda;
  const env: Record<string, string> = { ...base, ...conda };
  scripts.forEach((s, i) => (env[`${SCRIPT_VAR}${i}`] = s));
  const source = scripts.map((_, i) => `. "$${SCRIPT_VAR}${i}" || exit 97`).join('\n');
  const dump = `exec "$${SCRIPT_VAR}NODE" -e 'process.stdout.write(JSON.stringify(process.env))'`;
  env[`${SCRIPT_VAR}NODE`] = process.execPath;
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('sh', ['-c', `${source}\n${dump}`], { cwd: prefix, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`activation scripts exited with ${code}${err.trim() === '' ? '' : `: ${err.trim()}`}`));
    });
  }).catch((cause: unknown) => {
    throw new RunnerError(
      'UNAVAILABLE',
      `cannot activate conda environment ${prefix} (${scripts.map((s) => path.basename(s)).join(', ')}): ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
        details: { prefix, scripts },
      },
    );
  });
  const after = JSON.parse(output) as Record<string, string>;
  const changed: Record<string, string> = {};
  for (const [key, value] of Object.entries(after)) {
    if (key.startsWith(SCRIPT_VAR) || key === 'PWD' || key === 'SHLVL' || key === '_') continue;
    if (base[key] !== value) changed[key] = value;
  }
  return changed;
}
