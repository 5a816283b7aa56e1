import { ConfigError } from '@bioimageit/core';
import { socketPathOf } from './docker-engine-client.js';
import type { PullPolicy } from './image-provisioner.js';
import { parseImageReference } from './image-reference.js';
import { stderrPullProgress, type PullProgressListener } from './pull-progress.js';

/** Settings of a {@link DockerRunner}; all optional. */
export interface DockerRunnerOptions {
  /** Image for jobs whose tool declares no `requirements.docker.image` (default: none, such jobs fail). */
  readonly defaultImage?: string;
  /** `missing` (default): pull absent images; `never`: fail when the daemon lacks the image. */
  readonly pullPolicy?: PullPolicy;
  /** Receives pull progress; default: a bar on stderr. `null` turns reporting off. */
  readonly onPullProgress?: PullProgressListener | null;
  /** `uid:gid` (or a user name known to the image) the tools run as; default: this process's uid:gid. */
  readonly user?: string;
  /** Network mode given to tools that ask for a network (`requirements.docker.network: true`); default `bridge`. */
  readonly networkMode?: string;
  /** Host variables read for `passEnv` and `USER` (default `process.env`). */
  readonly hostEnv?: Readonly<Record<string, string | undefined>>;
  /** How long to wait for the last output after the container exited (default 5000 ms). */
  readonly drainMs?: number;
}

/** Options with every default applied. */
export interface ResolvedDockerRunnerOptions {
  readonly defaultImage: string | undefined;
  readonly pullPolicy: PullPolicy;
  readonly onPullProgress: PullProgressListener | undefined;
  readonly user: string;
  readonly networkMode: string;
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  readonly drainMs: number;
}

/** This process's `uid:gid` (`0:0` where the platform has none). */
export function invokingUser(): string {
  return `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
}

/** Applies the defaults of {@link DockerRunnerOptions}. */
export function resolveDockerRunnerOptions(options: DockerRunnerOptions): ResolvedDockerRunnerOptions {
  return {
    defaultImage: options.defaultImage,
    pullPolicy: options.pullPolicy ?? 'missing',
    onPullProgress: options.onPullProgress === null ? undefined : (options.onPullProgress ?? stderrPullProgress()),
    user: options.user ?? invokingUser(),
    networkMode: options.networkMode ?? 'bridge',
    hostEnv: options.hostEnv ?? process.env,
    drainMs: options.drainMs ?? 5000,
  };
}

/** Where the plugin finds the daemon and how its runner behaves, read from the environment. */
export interface DockerPluginSettings {
  /** The daemon's unix socket. */
  readonly socketPath: string;
  readonly runner: DockerRunnerOptions;
}

/** The daemon socket used when DOCKER_HOST is not set. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * Reads the plugin's settings from environment variables (the workspace config has no plugin
 * sections): `DOCKER_HOST` (`unix:///path/docker.sock`, default {@link DEFAULT_DOCKER_SOCKET}),
 * `BIOIMAGEIT_DOCKER_IMAGE` (default image), `BIOIMAGEIT_DOCKER_PULL` (`missing` | `never`),
 * `BIOIMAGEIT_DOCKER_USER` (`uid:gid`), `BIOIMAGEIT_DOCKER_NETWORK` (mode for tools that ask).
 * Throws ConfigError INVALID naming the variable and what is accepted.
 */
export function dockerPluginSettings(env: Readonly<Record<string, string | undefined>> = process.env): DockerPluginSettings {
  const bad = (name: string, why: string): ConfigError =>
    new ConfigError('INVALID', `${name}=${JSON.stringify(env[name])} ${why}`, { details: { variable: name } });
  const get = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const host = get('DOCKER_HOST');
  const socketPath = host === undefined ? DEFAULT_DOCKER_SOCKET : socketPathOf(host);
  if (socketPath === undefined) throw bad('DOCKER_HOST', 'is not a unix socket (the docker runner speaks to a local daemon: unix:///path/docker.sock)');
  const runner: Record<string, unknown> = { hostEnv: env };
  const image = get('BIOIMAGEIT_DOCKER_IMAGE');
  if (image !== undefined) {
    if (parseImageReference(image) === undefined) throw bad('BIOIMAGEIT_DOCKER_IMAGE', 'is not an image reference ([registry/]name[:tag])');
    runner['defaultImage'] = image;
  }
  const pull = get('BIOIMAGEIT_DOCKER_PULL');
  if (pull !== undefined) {
    if (pull !== 'missing' && pull !== 'never') throw bad('BIOIMAGEIT_DOCKER_PULL', "must be 'missing' or 'never'");
    runner['pullPolicy'] = pull;
  }
  const user = get('BIOIMAGEIT_DOCKER_USER');
  if (user !== undefined) {
    if (!/^(\d+(:\d+)?|[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?)$/i.test(user)) throw bad('BIOIMAGEIT_DOCKER_USER', 'must be uid:gid or a user name');
    runner['user'] = user;
  }
  const network = get('BIOIMAGEIT_DOCKER_NETWORK');
  if (network !== undefined) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$/.test(network)) throw bad('BIOIMAGEIT_DOCKER_NETWORK', 'must be a network mode (bridge, host) or network name');
    runner['networkMode'] = network;
  }
  return { socketPath, runner: runner as DockerRunnerOptions };
}
