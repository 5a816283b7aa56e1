import { ContainerModule } from 'inversify';
import { KernelConfig, RunnerContribution, settingsEnvironment } from '@bioimageit/core';
import { sweepOrphanContainers } from './container-sweeper.js';
import { DockerEngineClient } from './docker-engine-client.js';
import { DockerRunner } from './docker-runner.js';
import { DockerRunnerContribution } from './docker-runner-contribution.js';
import { dockerPluginSettings } from './docker-runner-options.js';

/**
 * The docker-runner plugin's bindings. Activating it (the kernel does so on the first request for
 * the `docker` runner) reads the settings from the environment, else the workspace config's
 * `settings` (see `dockerPluginSettings`), and asks the daemon for its version once: a daemon that
 * is down fails the activation with one RunnerError UNAVAILABLE naming the socket, instead of an
 * error per job. It then removes containers left by runs of this host whose process died
 * (`kill -9`), see `sweepOrphanContainers`.
 */
export default new ContainerModule(({ bind }) => {
  bind(DockerRunner)
    .toDynamicValue(async (context) => {
      const settings = dockerPluginSettings(settingsEnvironment(context.get<KernelConfig>(KernelConfig, { optional: true })));
      const client = await DockerEngineClient.connect(settings.socketPath);
      await sweepOrphanContainers(client);
      return new DockerRunner(client, settings.runner);
    })
    .inSingletonScope();
  bind(RunnerContribution).to(DockerRunnerContribution).inSingletonScope();
});
