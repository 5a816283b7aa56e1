import type { ProvJsonDocument } from './prov-json-types.js';

/** For each relation kind: which attribute names which kind of record (required ones first). */
const ENDPOINTS: Readonly<Record<string, readonly (readonly [string, 'entity' | 'activity' | 'agent', boolean])[]>> = {
  used: [
    ['prov:activity', 'activity', true],
    ['prov:entity', 'entity', true],
  ],
  wasGeneratedBy: [
    ['prov:entity', 'entity', true],
    ['prov:activity', 'activity', true],
  ],
  wasAssociatedWith: [
    ['prov:activity', 'activity', true],
    ['prov:agent', 'agent', true],
  ],
  wasDerivedFrom: [
    ['prov:generatedEntity', 'entity', true],
    ['prov:usedEntity', 'entity', true],
    ['prov:activity', 'activity', false],
  ],
  wasAttributedTo: [
    ['prov:entity', 'entity', true],
    ['prov:agent', 'agent', true],
  ],
  wasInformedBy: [
    ['prov:informed', 'activity', true],
    ['prov:informant', 'activity', true],
  ],
};

/**
 * Structural check of a PROV-JSON document: the `prov` prefix is declared, every record id uses a
 * declared prefix (or is a blank node `_:`), and every relation's endpoints name existing records
 * of the right kind. Returns one line per problem, empty when sound.
 */
export function checkProvJson(doc: ProvJsonDocument): string[] {
  const problems: string[] = [];
  if (doc.prefix?.['prov'] === undefined) problems.push("prefix 'prov' is not declared");
  const declared = (id: string): boolean => id.startsWith('_:') || Object.hasOwn(doc.prefix ?? {}, id.split(':')[0] ?? '');
  for (const kind of ['entity', 'activity', 'agent'] as const) {
    for (const id of Object.keys(doc[kind] ?? {})) if (!declared(id)) problems.push(`${kind} '${id}' uses an undeclared prefix`);
  }
  for (const [relation, endpoints] of Object.entries(ENDPOINTS)) {
    const records = (doc as unknown as Record<string, Record<string, Record<string, unknown>> | undefined>)[relation] ?? {};
    for (const [id, record] of Object.entries(records)) {
      for (const [attribute, kind, required] of endpoints) {
        const target = record[attribute];
        if (target === undefined) {
          if (required) problems.push(`${relation} '${id}' has no ${attribute}`);
        } else if (typeof target !== 'string' || doc[kind]?.[target] === undefined) {
          problems.push(`${relation} '${id}' ${attribute} names '${String(target)}', which is not an ${kind}`);
        }
      }
    }
  }
  return problems;
}
