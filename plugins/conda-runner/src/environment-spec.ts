import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError, ToolError, type CondaRequirement, type ToolManifest } from '@bioimageit/core';
import { channelUrl, type CondaSettings } from './conda-settings.js';
import { parseEnvironmentFile } from './environment-file.js';

/**
 * A requirement set the runner builds an environment for: package specs over channels, solved
 * into a prefix named by {@link SolvedEnvironmentSpec.hash} under the environments folder.
 */
export interface SolvedEnvironmentSpec {
  readonly kind: 'solved';
  /** Conda match specs, trimmed, sorted, duplicates removed. */
  readonly specs: readonly string[];
  /** Channel URLs in priority order (each ending with `/`). */
  readonly channels: readonly string[];
  /** pip specs of an environment file (need a conda command). */
  readonly pip: readonly string[];
  /** Command run once in the new environment (v1's `init`). */
  readonly init?: string;
  /** Variables the environment sets on activation (an environment file's `variables:`). */
  readonly variables?: Readonly<Record<string, string>>;
  /** Platform solved for (`linux-64`). */
  readonly platform: string;
  /** The requirement's own name for the environment (v1's `env`), for display only. */
  readonly label?: string;
  /** Hex digest of everything above but the label: the prefix's folder name. */
  readonly hash: string;
}

/** An environment that already exists and is used as it is: by name (`env: "cellpose"`) or by path. */
export interface ExistingEnvironmentSpec {
  readonly kind: 'existing';
  readonly name?: string;
  readonly prefix?: string;
}

/** What a tool's conda requirement asks for: an environment to make, or one to use as it is. */
export type EnvironmentSpec = SolvedEnvironmentSpec | ExistingEnvironmentSpec;

/** Length of the hash used as folder name (80 bits: collisions are not a concern, paths stay short). */
export const ENV_HASH_LENGTH = 20;

const normalizeSpec = (spec: string): string => spec.trim().replace(/\s+/g, ' ');

/** The digest naming a requirement set's prefix (see {@link SolvedEnvironmentSpec.hash}). */
export function environmentHash(spec: Omit<SolvedEnvironmentSpec, 'hash' | 'kind' | 'label'>): string {
  const variables = Object.entries(spec.variables ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify({
    v: 1,
    platform: spec.platform,
    channels: spec.channels,
    specs: spec.specs,
    pip: spec.pip,
    init: spec.init ?? null,
    variables,
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, ENV_HASH_LENGTH);
}

const looksLikePath = (env: string): boolean => env.startsWith('/') || env.startsWith('./') || env.startsWith('../') || env.includes(path.sep);

/**
 * Turns a tool's conda requirement (native manifest or v1 wrapper) into an environment spec:
 * packages and channels, or an environment file (relative to the manifest's folder; its channels
 * come first), or, with neither, the existing environment `env` names (a name or a path).
 * Channels default to the settings' defaults; names become URLs through the channel alias.
 * Throws RunnerError UNAVAILABLE when the tool declares no conda requirement, ToolError
 * BAD_MANIFEST (naming the file) for an unreadable or malformed environment file.
 */
export async function environmentSpecOf(tool: ToolManifest, settings: CondaSettings, platform: string): Promise<EnvironmentSpec> {
  const requirement: CondaRequirement | undefined = tool.requirements.conda;
  if (requirement === undefined) {
    throw new RunnerError('UNAVAILABLE', `tool '${tool.id}' declares no conda requirement (requirements.conda) for the conda runner`, {
      details: { toolId: tool.id },
    });
  }
  const specs = (requirement.packages ?? []).map(normalizeSpec).filter((s) => s !== '');
  const channels: string[] = [];
  let pip: string[] = [];
  let variables: Readonly<Record<string, string>> = {};
  let label = requirement.env;
  if (requirement.file !== undefined) {
    const file = path.resolve(path.dirname(tool.source), requirement.file);
    const text = await readFile(file, 'utf8').catch((cause: unknown) => {
      throw new ToolError('BAD_MANIFEST', `tool '${tool.id}': cannot read its conda environment file ${file}`, { cause, details: { toolId: tool.id, file } });
    });
    const parsed = parseEnvironmentFile(text, file);
    specs.push(...parsed.dependencies.map(normalizeSpec));
    channels.push(...parsed.channels);
    pip = [...parsed.pip];
    variables = parsed.variables;
    label ??= parsed.name;
  }
  if (specs.length === 0 && pip.length === 0) {
    const env = requirement.env;
    if (env === undefined || env.trim() === '') {
      throw new RunnerError('UNAVAILABLE', `tool '${tool.id}': its conda requirement lists no packages, no environment file and no environment name`, {
        details: { toolId: tool.id },
      });
    }
    return looksLikePath(env) ? { kind: 'existing', prefix: path.resolve(path.dirname(tool.source), env) } : { kind: 'existing', name: env };
  }
  channels.push(...(requirement.channels ?? []));
  const urls = [...new Set((channels.length > 0 ? channels : settings.defaultChannels).map((c) => channelUrl(c, settings.channelAlias)))];
  const body = {
    specs: [...new Set(specs)].sort(),
    channels: urls,
    pip,
    ...(requirement.init !== undefined && requirement.init.trim() !== '' && { init: requirement.init.trim() }),
    ...(Object.keys(variables).length > 0 && { variables }),
    platform,
  };
  return { kind: 'solved', ...body, ...(label !== undefined && label !== '' && { label }), hash: environmentHash(body) };
}

/** The conda platform (subdir) of this machine: `linux-64`, `osx-arm64`, `win-64`... */
export function condaPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === 'darwin' ? 'osx' : platform === 'win32' ? 'win' : platform;
  const bits: Record<string, string> = { x64: '64', arm64: os === 'osx' ? 'arm64' : 'aarch64', ia32: '32', ppc64: 'ppc64le', s390x: 's390x' };
  return `${os}-${bits[arch] ?? arch}`;
}
