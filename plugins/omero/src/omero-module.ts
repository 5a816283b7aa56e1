import { ContainerModule } from 'inversify';

/** Bindings of the omero plugin (work in progress). */
export default new ContainerModule(() => {});
