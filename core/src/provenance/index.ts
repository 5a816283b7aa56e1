/**
 * Provenance export: RO-Crate 1.1 (Process Run Crate profile) and W3C PROV-JSON documents of an
 * experiment's runs, item lineage graphs, and structural checkers for both documents.
 */
export { buildRoCrate, writeRoCrate, crateIds } from './build-ro-crate.js';
export { checkRoCrate, type CheckRoCrateOptions } from './check-ro-crate.js';
export {
  PROCESS_RUN_CRATE_PROFILE,
  RO_CRATE_CONTEXT,
  RO_CRATE_METADATA_FILE,
  RO_CRATE_SPEC,
  WORKFLOW_RUN_CONTEXT,
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
