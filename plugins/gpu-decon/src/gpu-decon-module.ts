import { ContainerModule } from 'inversify';

/** Bindings of the gpu-decon plugin (work in progress). */
export default new ContainerModule(() => {});
