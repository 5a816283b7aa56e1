/**
 * Model packages: reading a bioimage.io model rdf (0.4 and 0.5) into the normalized
 * `ModelDescription`, opening a package from a folder, an rdf file, a .zip or a URL (through the
 * models cache), and verifying its files before it runs.
 */
export { parseModelRdf, readModelRdf, type ModelRdf, type ParseModelRdfOptions, type RdfFileKind, type RdfFileReference } from './parse-model-rdf.js';
export { openModelPackage, type ModelPackage, type OpenModelPackageOptions } from './model-package.js';
export { verifyModelPackage, RUNNABLE_WEIGHTS_FORMATS, type PackageProblem } from './verify-model-package.js';
export { defaultModelsCacheDir } from './package-paths.js';
export type { DownloadOptions } from './package-download.js';
export type { RdfProblem } from './rdf-fields.js';
