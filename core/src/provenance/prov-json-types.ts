/** A typed PROV-JSON literal (`{"$": "42", "type": "xsd:int"}`). */
export interface ProvTypedLiteral {
  readonly $: string;
  readonly type: string;
}

export type ProvScalar = string | number | boolean | ProvTypedLiteral;
export type ProvValue = ProvScalar | readonly ProvScalar[];

/** Attributes of one PROV-JSON record (an element or a relation), keyed by qualified name. */
export type ProvRecord = Readonly<Record<string, ProvValue>>;

/**
 * A W3C PROV-JSON document (https://www.w3.org/submissions/prov-json/): namespace prefixes, then
 * one object per record kind, each mapping a record id to its attributes.
 */
export interface ProvJsonDocument {
  readonly prefix: Readonly<Record<string, string>>;
  readonly entity: Readonly<Record<string, ProvRecord>>;
  readonly activity: Readonly<Record<string, ProvRecord>>;
  readonly agent: Readonly<Record<string, ProvRecord>>;
  readonly used: Readonly<Record<string, ProvRecord>>;
  readonly wasGeneratedBy: Readonly<Record<string, ProvRecord>>;
  readonly wasAssociatedWith: Readonly<Record<string, ProvRecord>>;
  readonly wasDerivedFrom: Readonly<Record<string, ProvRecord>>;
  readonly wasAttributedTo: Readonly<Record<string, ProvRecord>>;
  readonly wasInformedBy: Readonly<Record<string, ProvRecord>>;
}

/** Options of buildProvJson / writeProvJson. */
export interface ProvJsonOptions {
  /** Run ids to export (default: every run). Unknown ids reject with StorageError NOT_FOUND. */
  readonly runs?: readonly string[];
}

/** Namespace of BioImageIT's own PROV attribute and type names. */
export const BIOIMAGEIT_PROV_NAMESPACE = 'https://bioimageit.github.io/ns/provenance#';

/**
 * Escapes an id into a PROV qualified-name local part: letters, digits and `-` stay, every other
 * character becomes `_` and four hex digits. Injective, so distinct ids stay distinct.
 */
export function provLocal(id: string): string {
  let out = '';
  for (const ch of id) {
    if (/[A-Za-z0-9-]/.test(ch)) out += ch;
    else for (const unit of ch.split('')) out += `_${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
  return out;
}

/** Stable PROV ids of the records BioImageIT writes (`exp:` is the experiment's namespace). */
export const provIds = {
  item: (itemId: string): string => `exp:item.${provLocal(itemId)}`,
  job: (runId: string, jobId: string): string => `exp:job.${provLocal(runId)}.${provLocal(jobId)}`,
  tool: (key: string): string => `exp:tool.${provLocal(key)}`,
  user: (name: string): string => `exp:user.${provLocal(name)}`,
};
