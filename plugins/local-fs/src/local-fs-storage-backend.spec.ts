import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeStorageBackendContract } from '@bioimageit/core/testing';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';

describeStorageBackendContract('local-fs (plain path)', async () => {
  const location = await mkdtemp(path.join(tmpdir(), 'local-fs-contract-'));
  return {
    backend: new LocalFsStorageBackend(),
    location,
    newBackend: () => new LocalFsStorageBackend(),
    cleanup: () => rm(location, { recursive: true, force: true }),
  };
});

describeStorageBackendContract('local-fs (file URI)', async () => {
  const location = await mkdtemp(path.join(tmpdir(), 'local-fs-contract-'));
  return {
    backend: new LocalFsStorageBackend(),
    location: pathToFileURL(location).href,
    newBackend: () => new LocalFsStorageBackend(),
    cleanup: () => rm(location, { recursive: true, force: true }),
  };
});
