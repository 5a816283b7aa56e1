/**
 * @bioimageit/docker-runner — the `docker` runner: tools in containers on the Docker Engine API
 * (unix socket). Enable it with `"plugins": ["@bioimageit/local-fs", "@bioimageit/docker-runner"]`.
 */
export { DockerRunner } from './docker-runner.js';
export { DockerRunnerContribution } from './docker-runner-contribution.js';
export {
  DockerEngineClient,
  DockerApiError,
  negotiateApiVersion,
  compareApiVersions,
  socketPathOf,
  MIN_API_VERSION,
  MAX_API_VERSION,
  type DockerDaemonInfo,
} from './docker-engine-client.js';
export { dockerPluginSettings, invokingUser, DEFAULT_DOCKER_SOCKET, type DockerRunnerOptions, type DockerPluginSettings } from './docker-runner-options.js';
export { ImageProvisioner, PULL_POLICIES, type ImageFacts, type PullPolicy } from './image-provisioner.js';
export { dockerRunOptions, dockerRunOverrides, type DockerRunOverrides } from './docker-run-options.js';
export { parseImageReference, formatImageReference, type ImageReference } from './image-reference.js';
export { formatPullProgress, stderrPullProgress, PullProgressTracker, type PullProgress, type PullProgressListener } from './pull-progress.js';
export { LABELS as CONTAINER_LABELS, toolAsksForNetwork } from './container-spec.js';
export { sweepOrphanContainers } from './container-sweeper.js';
