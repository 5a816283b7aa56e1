import type { KnownPlugin } from '@bioimageit/core';

/**
 * Plugins of a workspace whose config names none (and of commands run outside any workspace):
 * local storage only, the embedded default. The kernel knows no plugin: the CLI, the composition
 * root, passes these to it. `bioimageit init` writes {@link INITIAL_PLUGINS} instead.
 */
export const DEFAULT_PLUGINS: readonly string[] = ['@bioimageit/local-fs'];

/**
 * Plugins written into a new workspace's config by `bioimageit init`: local storage and
 * `@bioimageit/thumbnails` (visible and removable there: thumbnails roughly double the cost of a
 * large import on a small machine).
 */
export const INITIAL_PLUGINS: readonly string[] = ['@bioimageit/local-fs', '@bioimageit/thumbnails'];

/**
 * The runner plugins this CLI knows, with the runners their manifests declare
 * (`bioimageit.contributes.runners` of their package.json; a spec keeps the two equal): when a
 * workspace does not configure one and a tool needs it, the run falls back to the local runner
 * with a warning naming the package to add to `plugins`.
 */
export const KNOWN_PLUGINS: readonly KnownPlugin[] = [
  { packageName: '@bioimageit/docker-runner', runners: [{ id: 'docker', satisfies: ['docker'], priority: 20 }] },
  {
    packageName: '@bioimageit/conda-runner',
    runners: [{ id: 'conda', satisfies: ['conda'], priority: 10, warnWhenMissing: ['conda.packages', 'conda.file'] }],
  },
  { packageName: '@bioimageit/gpu-decon', runners: [{ id: 'native', satisfies: ['native.plugin'], warnWhenMissing: [], whenUnavailable: 'fail' }] },
  { packageName: '@bioimageit/slurm-runner', runners: [{ id: 'slurm', satisfies: [] }] },
];

/**
 * Plugins installed with this CLI whose commands (`bioimageit.contributes.commands`) it offers in
 * every workspace, configured there or not: `bioimageit omero ...` logs in to and browses servers
 * before any workspace uses them. Their manifests are read at start; their code loads only when one
 * of their commands runs.
 */
export const BUNDLED_COMMAND_PLUGINS: readonly string[] = ['@bioimageit/omero'];
