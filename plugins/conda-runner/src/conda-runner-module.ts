import { ContainerModule } from 'inversify';

/** Bindings of the conda-runner plugin (work in progress). */
export default new ContainerModule(() => {});
