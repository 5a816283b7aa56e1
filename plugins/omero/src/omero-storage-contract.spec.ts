import { describeStorageBackendContract } from '@bioimageit/core/testing';
import { omeroTestBed } from '../test/omero-test-setup.js';

describeStorageBackendContract('omero (fake OMERO.web 5.31)', async () => {
  const bed = await omeroTestBed();
  return { backend: bed.backend(), location: bed.location, cleanup: bed.cleanup, newBackend: () => bed.backend() };
});
