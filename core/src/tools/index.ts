/** Tool manifests: the native JSON manifest and its schema, v1 XML wrappers, argv templates, tool folders. */
export {
  TOOL_INPUT_TYPES,
  TOOL_TEST_COMPARES,
  isParameter,
  v1ToolKey,
  type ToolInputType,
  type ToolParamValue,
  type ToolChoice,
  type ToolInput,
  type ToolOutput,
  type ToolCommand,
  type CondaRequirement,
  type ToolRequirements,
  type ToolResources,
  type ToolTestCompare,
  type ToolTest,
  type ToolType,
  type ToolManifest,
  type ToolManifestBody,
} from './tool-manifest.js';
export { TOOL_MANIFEST_SCHEMA, writeToolManifestSchema } from './tool-manifest-schema.js';
export { checkToolManifest, validateToolManifest, TOOL_MANIFEST_FIELDS, TOOL_ID, TOOL_VERSION } from './validate-tool-manifest.js';
export type { ManifestProblem } from './manifest-checker.js';
export { canonicalJson, computeToolDigest } from './manifest-digest.js';
export { createToolManifest, loadToolManifest } from './load-tool-manifest.js';
export { loadV1Wrapper, v1WrapperBody } from './load-v1-wrapper.js';
export { templatePlaceholders, type TemplatePlaceholder, type PlaceholderKind } from './argv-template.js';
export { expandArgv, type ArgvBindings } from './expand-argv.js';
export { validateParams } from './validate-params.js';
export { outputFileName, outputExtension, FORMAT_EXTENSIONS, DEFAULT_OUTPUT_TEMPLATE, type OutputNameInput } from './output-file-name.js';
export { findToolFiles, loadToolFile, NATIVE_MANIFEST_SUFFIX, type ToolLoadProblem } from './find-tool-files.js';
export { DirectoryToolSource, type DirectoryToolSourceOptions } from './directory-tool-source.js';
export type { ToolLoadOptions, ToolLoadWarning, V1Quirk } from './v1-quirks.js';
export { ToolCatalog } from './tool-catalog.js';
