import { isCollection, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { ModelDescription } from '../model-description.js';
import { tensorsV04 } from './model-rdf-v0-4.js';
import { DEFAULT_TOLERANCE, tensorsV05, toleranceV05 } from './model-rdf-v0-5.js';
import { RdfCursor, RdfProblems, rdfError, type FieldPath } from './rdf-fields.js';
import {
  citations,
  fileReference,
  finishTensor,
  people,
  resolveReferences,
  slug,
  weightsEntries,
  type ParseModelRdfOptions,
  type RdfContext,
  type RdfFileReference,
} from './rdf-parts.js';

export type { ParseModelRdfOptions, RdfFileKind, RdfFileReference } from './rdf-parts.js';

/** A parsed model rdf: its normalized description and every file it names. */
export interface ModelRdf {
  readonly description: ModelDescription;
  /** Weights, test and sample tensors, covers, documentation (and 0.5 architecture files), in rdf order. */
  readonly files: readonly RdfFileReference[];
}

/** Where the YAML node at `path` starts (1-based line), falling back to its nearest given ancestor. */
function lineLookup(doc: ReturnType<typeof parseDocument>, counter: LineCounter): (path: FieldPath) => number | undefined {
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as YamlNode | null | undefined;
      const start = node?.range?.[0];
      if (start !== undefined && (n === path.length || isCollection(node))) return counter.linePos(start).line;
    }
    return undefined;
  };
}

/**
 * Parses a model rdf (`rdf.yaml` / `bioimageio.yaml`, format 0.4.x or 0.5.x) into its normalized
 * {@link ModelDescription} and the list of files it names. `file` names the rdf in every message.
 *
 * @throws ToolError `BAD_MANIFEST`: `"FILE: line N: not valid YAML: …"` for a syntax error
 *   (`details.line`); `"FILE: FIELD: why"` (or `"FILE: N problems: FIELD: why; …"` listing every
 *   problem found) for a wrong type or format version, a missing or malformed field, an unknown
 *   processing id, or a size referencing an unknown tensor or axis; `details` `{ file, field,
 *   line?, problems }`.
 */
export function readModelRdf(text: string, file: string, options: ParseModelRdfOptions = {}): ModelRdf {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw rdfError(
      file,
      doc.errors.slice(0, 5).map((error) => {
        const line = error.linePos?.[0].line ?? counter.linePos(error.pos[0]).line;
        const why = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return { field: '', why: `line ${String(line)}: not valid YAML: ${why}`, line };
      }),
    );
  }
  const problems = new RdfProblems(lineLookup(doc, counter));
  const root = new RdfCursor(doc.toJS({ maxAliasCount: 1000 }) as unknown, [], problems);
  if (!root.mapping()) throw rdfError(file, [{ field: '', why: 'not a bioimage.io rdf: the document is not a YAML mapping' }]);

  const type = root.field('type').string();
  const formatField = root.field('format_version');
  const formatVersion = formatField.string() ?? '';
  const major = /^0\.(4|5)\.\d+$/.exec(formatVersion)?.[1];
  if (type !== undefined && type !== 'model') root.field('type').problem(`is '${type}': this reads model rdfs (type: model) only`);
  if (formatVersion !== '' && major === undefined) formatField.problem(`format version '${formatVersion}' is not supported (supported: 0.4.x and 0.5.x)`);
  problems.throwIfAny(file);

  const ctx: RdfContext = { problems, files: [], options };
  const name = root.field('name').string() ?? '';
  const givenId =
    major === '4' ? (root.field('config').field('bioimageio').field('nickname').optString() ?? root.field('id').optString()) : root.field('id').optString();
  const description = root.field('description').optString() ?? '';
  const authors = people(root.field('authors'), true);
  const maintainers = people(root.field('maintainers'), false);
  const licenseField = root.field('license');
  const license = (major === '5' ? licenseField.string() : licenseField.optString()) ?? '';
  const cite = citations(root.field('cite'));
  const tags = root.field('tags').strings();
  const covers = root
    .field('covers')
    .items()
    .map((c) => fileReference(ctx, c, 'cover', true))
    .filter((c): c is string => c !== undefined);
  const documentation = fileReference(ctx, root.field('documentation'), 'documentation', false);
  const tensors = major === '4' ? tensorsV04(ctx, root) : tensorsV05(ctx, root);
  const ids = new Set<string>();
  for (const t of tensors) {
    if (ids.has(t.id)) problems.add([...t.path, major === '4' ? 'name' : 'id'], `duplicate tensor id '${t.id}'`);
    ids.add(t.id);
  }
  resolveReferences(tensors, problems);
  const weights = weightsEntries(ctx, root.field('weights'));
  const tolerance = major === '5' ? toleranceV05(root) : { ...DEFAULT_TOLERANCE };
  problems.throwIfAny(file);

  return {
    description: {
      formatVersion,
      id: givenId ?? slug(name),
      name,
      version: root.field('version').optString() ?? '0',
      description,
      authors,
      maintainers,
      license,
      cite,
      tags,
      covers,
      ...(documentation === undefined ? {} : { documentation }),
      inputs: tensors.filter((t) => t.role === 'input').map(finishTensor),
      outputs: tensors.filter((t) => t.role === 'output').map(finishTensor),
      weights,
      tolerance,
    },
    files: ctx.files,
  };
}

/**
 * Parses a model rdf (format 0.4.x or 0.5.x) into the normalized {@link ModelDescription}; see
 * {@link readModelRdf} for the errors.
 */
export function parseModelRdf(text: string, file: string, options: ParseModelRdfOptions = {}): ModelDescription {
  return readModelRdf(text, file, options).description;
}
