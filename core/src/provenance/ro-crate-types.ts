/** JSON-LD context of RO-Crate 1.1. */
export const RO_CRATE_CONTEXT = 'https://w3id.org/ro/crate/1.1/context';
/** The RO-Crate 1.1 specification, which the metadata descriptor `conformsTo`. */
export const RO_CRATE_SPEC = 'https://w3id.org/ro/crate/1.1';
/** The workflow-run terms context: brings `sha256` (and other checksums) into the crate. */
export const WORKFLOW_RUN_CONTEXT = 'https://w3id.org/ro/terms/workflow-run/context';
/** Process Run Crate profile 0.5, which the root data entity `conformsTo`. */
export const PROCESS_RUN_CRATE_PROFILE = 'https://w3id.org/ro/wfrun/process/0.5';
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
