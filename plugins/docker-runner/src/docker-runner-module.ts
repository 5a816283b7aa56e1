import { ContainerModule } from 'inversify';

/** Bindings of the docker-runner plugin (work in progress). */
export default new ContainerModule(() => {});
