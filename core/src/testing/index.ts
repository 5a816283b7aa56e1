/**
 * @bioimageit/core/testing — contract suites every plugin implementation runs (vitest is an
 * optional peer dependency of core, needed only here).
 */
export { describeStorageBackendContract, type StorageBackendFixture } from './storage-backend-contract.js';
export { describeRunnerContract, type RunnerFixture } from './runner-contract.js';
export { tinyPng } from './storage-thumbnail-cases.js';
export { sampleRunRecord } from './sample-run-record.js';
export { writeSyntheticV1Experiment } from './synthetic-v1-experiment.js';
export { addV1ProcessedDataset } from './add-v1-processed-dataset.js';
export {
  skipWithout,
  partRequired,
  debianPython,
  REQUIRE_PARTS_ENV,
  WITHOUT_PARTS_ENV,
  SKIP_LOG_ENV,
  type SystemPartSkip,
  type DebianPython,
} from './system-part.js';
export { stripTiff, deflateBomb, declaredPlanesTiff, longAttributeTiff, seedTiffs, mutatedTiffs, type StripPage, type CorpusFile } from './hostile-tiffs.js';
export { isRunning, waitFor } from './process-waits.js';
export {
  writeSyntheticPlate,
  SYNTHETIC_PLATE_CHANNELS,
  type SyntheticPlateManifest,
  type SyntheticPlateImage,
  type SyntheticPlateExtra,
  type SyntheticPlateOptions,
} from './synthetic-plate.js';
