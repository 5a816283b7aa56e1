/**
 * Provenance export: RO-Crate 1.1 (Process Run Crate 0.5; Workflow Run Crate 0.5 and Provenance
 * Run Crate 0.5 for a pipeline) and W3C PROV-JSON documents of an
 * experiment's runs, item lineage graphs, and structural checkers for both documents.
 */
export { buildRoCrate, writeRoCrate, crateIds } from './build-ro-crate.js';
export { licenseEntity, SPDX_LICENSES } from './crate-license.js';
export { checkRoCrate, type CheckRoCrateOptions } from './check-ro-crate.js';
export {
  PROCESS_RUN_CRATE_PROFILE,
  PROVENANCE_RUN_CRATE_PROFILE,
  RO_CRATE_CONTEXT,
  RO_CRATE_METADATA_FILE,
  RO_CRATE_SPEC,
  WORKFLOW_RO_CRATE_PROFILE,
  WORKFLOW_RUN_CONTEXT,
  WORKFLOW_RUN_CRATE_PROFILE,
  type CrateAuthor,
  type CratePipeline,
  type RoCrateDocument,
  type RoCrateEntity,
  type RoCrateOptions,
  type RoCrateReference,
  type RoCrateValue,
} from './ro-crate-types.js';
export { buildProvJson, writeProvJson } from './build-prov-json.js';
export { checkProvJson } from './check-prov-json.js';
export {
  BIOIMAGEIT_PROV_NAMESPACE,
  provIds,
  provLocal,
  type ProvJsonDocument,
  type ProvJsonOptions,
  type ProvRecord,
  type ProvScalar,
  type ProvTypedLiteral,
  type ProvValue,
} from './prov-json-types.js';
export {
  lineage,
  lineageIds,
  type LineageEdge,
  type LineageGraph,
  type LineageItemNode,
  type LineageJobNode,
  type LineageNode,
  type LineageRunNode,
} from './lineage.js';
export { loadProvenance, type ProvenanceActivity, type ProvenanceSelection, type ProvenanceSnapshot } from './provenance-snapshot.js';
