import { ContainerModule } from 'inversify';

/** Bindings of the slurm-runner plugin (work in progress). */
export default new ContainerModule(() => {});
