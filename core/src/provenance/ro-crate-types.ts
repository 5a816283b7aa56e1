import type { Pipeline } from '../engine/pipeline-definition.js';

/** JSON-LD context of RO-Crate 1.1. */
export const RO_CRATE_CONTEXT = 'https://w3id.org/ro/crate/1.1/context';
/** The RO-Crate 1.1 specification, which the metadata descriptor `conformsTo`. */
export const RO_CRATE_SPEC = 'https://w3id.org/ro/crate/1.1';
/** The workflow-run terms context: brings `sha256` (and other checksums) into the crate. */
export const WORKFLOW_RUN_CONTEXT = 'https://w3id.org/ro/terms/workflow-run/context';
/** Process Run Crate profile 0.5, which the root data entity `conformsTo`. */
export const PROCESS_RUN_CRATE_PROFILE = 'https://w3id.org/ro/wfrun/process/0.5';
/** Workflow Run Crate profile 0.5: the root of a pipeline's crate also `conformsTo` it. */
export const WORKFLOW_RUN_CRATE_PROFILE = 'https://w3id.org/ro/wfrun/workflow/0.5';
/** Provenance Run Crate profile 0.5: a pipeline's crate records each step's executions. */
export const PROVENANCE_RUN_CRATE_PROFILE = 'https://w3id.org/ro/wfrun/provenance/0.5';
/** Workflow RO-Crate profile 1.0, which a Workflow Run Crate extends. */
export const WORKFLOW_RO_CRATE_PROFILE = 'https://w3id.org/workflowhub/workflow-ro-crate/1.0';
/** The file the crate's metadata lives in, at the crate root. */
export const RO_CRATE_METADATA_FILE = 'ro-crate-metadata.json';

/** A link to another entity of the graph (or, for `conformsTo` of the descriptor, to the spec). */
export interface RoCrateReference {
  readonly '@id': string;
}

export type RoCrateValue = string | number | boolean | RoCrateReference | readonly RoCrateValue[];

/** One flattened JSON-LD node of the `@graph`: data entities (File) and contextual entities. */
export interface RoCrateEntity {
  readonly '@id': string;
  readonly '@type': string | readonly string[];
  readonly [property: string]: RoCrateValue | undefined;
}

/** The content of `ro-crate-metadata.json`. */
export interface RoCrateDocument {
  readonly '@context': string | readonly string[];
  readonly '@graph': readonly RoCrateEntity[];
}

/** Options of buildRoCrate / writeRoCrate. */
export interface RoCrateOptions {
  /** Run ids to export (default: every run). Unknown ids reject with StorageError NOT_FOUND. */
  readonly runs?: readonly string[];
  /**
   * true (default): data files are copied into the crate as `<dataset>/<file>` and named by that
   * relative path. false: they stay where they are and are named by absolute URIs (`file:///…`).
   */
  readonly copyData?: boolean;
  /** `datePublished` of the root (default: now). Tests pin it. */
  readonly now?: Date;
  /**
   * Licence of the crate's content (the workspace's `license`): an SPDX id (`CC-BY-4.0`, made
   * the contextual entity `https://spdx.org/licenses/CC-BY-4.0`) or a licence URL. The root
   * data entity's `license`; without it the crate lacks a property RO-Crate 1.1 requires.
   */
  readonly license?: string;
  /**
   * Who exports (the workspace's user): the root's `author`, and the `agent` of every action
   * whose run user has this name. With `orcid`, the Person's `@id` is `https://orcid.org/<orcid>`.
   */
  readonly author?: CrateAuthor;
  /**
   * Export the runs of this pipeline as a Workflow Run Crate (Provenance Run Crate profile): the
   * pipeline file becomes the crate's main entity (a ComputationalWorkflow) with one HowToStep
   * per step. Each step's run is the latest selected run writing the step's output dataset with
   * the step's tool; without `runs`, only those runs are exported.
   */
  readonly pipeline?: CratePipeline;
}

/** A person named in a crate: a name and, when known, a verified ORCID iD (bare form). */
export interface CrateAuthor {
  readonly name: string;
  readonly orcid?: string;
}

/** A pipeline whose runs a crate describes: its definition and the file it was read from. */
export interface CratePipeline {
  readonly definition: Pipeline;
  /** Local path of the pipeline file (copied into the crate as the workflow). */
  readonly file: string;
}

/** True for an `{ "@id": … }` link. */
export function isReference(value: unknown): value is RoCrateReference {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { '@id'?: unknown })['@id'] === 'string';
}

/** The values of a property as an array (absent → empty). */
export function valuesOf(value: RoCrateValue | undefined): readonly RoCrateValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly RoCrateValue[]) : [value as RoCrateValue];
}

/** The ids a property links to. */
export function referencedIds(value: RoCrateValue | undefined): string[] {
  return valuesOf(value)
    .filter(isReference)
    .map((r) => r['@id']);
}

/** True when an entity has `type` among its types. */
export function hasType(entity: RoCrateEntity, type: string): boolean {
  return typeof entity['@type'] === 'string' ? entity['@type'] === type : entity['@type'].includes(type);
}
