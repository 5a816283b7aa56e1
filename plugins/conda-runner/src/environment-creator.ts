import type { SolvedEnvironmentSpec } from './environment-spec.js';
import type { EnvironmentPhase } from './environment-progress.js';

/** Reports one step of a creation: phase, a line for people, and a count when there is one. */
export type CreationReport = (phase: EnvironmentPhase, message: string, done?: number, total?: number) => void;

/** Where a creation writes. */
export interface CreationPaths {
  /** The environment's final path (`<envs>/<hash>`): what the environment's files name. */
  readonly prefix: string;
  /** An empty private folder next to it for temporary work; removed by the caller afterwards. */
  readonly staging: string;
}

/**
 * Makes a conda environment for a requirement set. Two implementations produce the same layout
 * (`bin/`, `conda-meta/<dist>.json` records, `conda-meta/history`, the spec's variables in
 * `conda-meta/state` before `init` runs): {@link CommandEnvironmentCreator}
 * delegates to micromamba/mamba/conda, {@link EmbeddedEnvironmentCreator} solves with rattler and
 * installs itself. The caller (EnvironmentManager) serializes creations, checks the result and
 * removes everything on failure; an implementation throws RunnerError UNAVAILABLE naming the
 * package, channel or command at fault.
 */
export interface EnvironmentCreator {
  readonly kind: 'command' | 'embedded';
  /** What makes the environments, for provenance: `micromamba 1.5.8 (/usr/bin/micromamba)`. */
  describe(): Promise<string>;
  /**
   * Creates the environment so that `paths.prefix` exists and is complete when this resolves.
   * Aborting `signal` stops it soon (processes killed, downloads aborted) with a rejection; the
   * caller removes what was made.
   */
  create(spec: SolvedEnvironmentSpec, paths: CreationPaths, report: CreationReport, label: string, signal?: AbortSignal): Promise<void>;
}
