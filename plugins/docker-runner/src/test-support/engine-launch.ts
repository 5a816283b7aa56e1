import type { DockerEngineClient } from '../docker-engine-client.js';

/** How to start one engine kind: its commands, its arguments and its set-up (see `test-dockerd.ts`, `test-podman.ts`). */
export interface EngineLaunch {
  /** Human name, e.g. `dockerd`, `podman system service`. */
  readonly name: string;
  /** Commands that must be on PATH, and the packages that bring them. */
  readonly commands: readonly string[];
  readonly install: string;
  /** Writes what the engine needs in `dir` and returns the command line and environment that start it. */
  prepare(
    dir: string,
    socketPath: string,
    env: NodeJS.ProcessEnv,
  ): Promise<{ readonly command: string; readonly args: readonly string[]; readonly env: NodeJS.ProcessEnv }>;
  /** Runs before the engine is stopped (podman leaves its containers' monitors running otherwise). */
  beforeStop?(client: DockerEngineClient): Promise<void>;
}
