import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ToolError } from '../errors/area-errors.js';
import { sealManifest } from './load-tool-manifest.js';
import { parseShedYml, type ShedYml } from './shed-yml.js';
import type { CondaRequirement, ToolManifest, ToolManifestBody, ToolRequirements } from './tool-manifest.js';
import { v1CommandToArgv, V1CommandSyntaxError } from './v1-command.js';
import { v1Fail, v1Inputs, v1Outputs, v1Tests, withoutUndefined, type V1Fail } from './v1-params.js';
import { v1QuirkReport, type ToolLoadOptions } from './v1-quirks.js';
import { validateToolManifest } from './validate-tool-manifest.js';
import { childElements, descendantElements, elementText, parseXml, type XmlElement } from './xml-parser.js';

const UNSUPPORTED = new Set(['conditional', 'repeat', 'section', 'collection']);

/**
 * Loads a BioImageIT v1 wrapper (Galaxy-like XML subset) and the `.shed.yml` beside it, unchanged,
 * as a {@link ToolManifest}: `<tool id name version [type="merge"]>` (merge → `reduce`; the id is
 * lower-cased), `<description>`, `<requirements>` (conda `<package env init>`, docker
 * `<container>`), `<command>` (converted to an argv template by `v1CommandToArgv`), `<inputs>`,
 * `<outputs>`, `<tests>`, `<help>`; `.shed.yml` gives categories, owner, homepage and a fallback
 * description. The digest also covers the XML bytes. Called by `DirectoryToolSource`.
 *
 * What v1 itself accepts loads: each `V1Quirk` (a repeated select option, an empty test
 * file, a decimal bound on an integer) is read as v1 reads it and reported to
 * `options.onWarning`, or refused when `options.strict` is set.
 *
 * @throws ToolError NOT_FOUND when the XML cannot be read; BAD_MANIFEST naming the file and line of
 * malformed XML or YAML, a missing attribute, an unsupported construct (conditional, repeat,
 * section, data_collection, dynamic options, unknown parameter types), a bad command, or (strict)
 * a v1 quirk.
 */
export async function loadV1Wrapper(xmlPath: string, options: ToolLoadOptions = {}): Promise<ToolManifest> {
  const file = resolve(xmlPath);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new ToolError('NOT_FOUND', `${file}: cannot read v1 wrapper (${(cause as Error).message})`, { cause, details: { file } });
  }
  const shedFile = join(dirname(file), '.shed.yml');
  const shedText = await readFile(shedFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new ToolError('BAD_MANIFEST', `${shedFile}: cannot read (${error.message})`, { cause: error, details: { file: shedFile } });
  });
  const shed = shedText === undefined ? {} : parseShedYml(shedText, shedFile);
  const body = v1WrapperBody(new TextDecoder().decode(bytes), file, shed, options);
  return sealManifest(body, file, [bytes]);
}

/**
 * Converts the text of a v1 wrapper (and its parsed `.shed.yml`) into a validated manifest body;
 * v1 quirks are reported to `options.onWarning` (or refused when `options.strict`).
 */
export function v1WrapperBody(xml: string, file: string, shed: ShedYml = {}, options: ToolLoadOptions = {}): ToolManifestBody {
  const root = parseXml(xml, file);
  const fail = v1Fail(file);
  const quirk = v1QuirkReport(file, options);
  if (root.name !== 'tool') throw fail(root, 'the root element must be <tool>');
  for (const element of descendantElements(root)) {
    if (UNSUPPORTED.has(element.name)) throw fail(element, `<${element.name}> is not supported by BioImageIT wrappers`);
    if (element.name === 'param' && element.attributes['type'] === 'data_collection') {
      throw fail(element, 'data_collection parameters are not supported by BioImageIT wrappers', 'type');
    }
  }
  const { id, name, version, type } = root.attributes;
  if (id === undefined || id === '') throw fail(root, 'needs an id attribute', 'id');
  if (name === undefined || name === '') throw fail(root, 'needs a name attribute', 'name');
  if (version === undefined || version === '') throw fail(root, 'needs a version attribute', 'version');
  if (type !== undefined && type !== 'sequential' && type !== 'merge') throw fail(root, `type="${type}" is not sequential or merge`, 'type');
  const child = (tag: string): XmlElement | undefined => childElements(root, tag)[0];
  const text = (tag: string): string | undefined => {
    const element = child(tag);
    const value = element === undefined ? undefined : dedent(elementText(element));
    return value === '' ? undefined : value;
  };
  const inputs = v1Inputs(child('inputs'), fail, quirk);
  const outputs = v1Outputs(child('outputs'), fail);
  const command = child('command');
  if (command === undefined) throw fail(root, 'needs a <command>', 'command');
  const argv = convertCommand(command, file, {
    inputs: new Set(inputs.filter((i) => i.type === 'data').map((i) => i.name)),
    outputs: new Set(outputs.map((o) => o.name)),
    params: new Set(inputs.filter((i) => i.type !== 'data').map((i) => i.name)),
  });
  const categories = shed['categories'];
  const body = withoutUndefined({
    id: id.toLowerCase(),
    name,
    version,
    description: text('description') ?? shedString(shed, 'description') ?? '',
    categories: categories === undefined ? [] : typeof categories === 'string' ? [categories] : [...categories],
    inputs,
    outputs,
    command: { argv },
    requirements: v1Requirements(child('requirements'), fail),
    resources: {},
    type: type === 'merge' ? ('reduce' as const) : ('map' as const),
    tests: v1Tests(child('tests'), inputs, outputs, quirk),
    help: text('help'),
    owner: shedString(shed, 'owner'),
    homepage: shedString(shed, 'homepage_url'),
  });
  return validateToolManifest(body, file);
}

function convertCommand(command: XmlElement, file: string, names: Parameters<typeof v1CommandToArgv>[1]): string[] {
  try {
    return v1CommandToArgv(elementText(command), names);
  } catch (error) {
    if (!(error instanceof V1CommandSyntaxError)) throw error;
    let line = command.line;
    let remaining = error.offset;
    for (const node of command.children) {
      if (node.kind !== 'text') continue;
      if (remaining <= node.text.length) {
        line = node.line + (node.text.slice(0, remaining).match(/\n/g)?.length ?? 0);
        break;
      }
      remaining -= node.text.length;
    }
    throw new ToolError('BAD_MANIFEST', `${file}: line ${line}: <command>: ${error.message}`, { details: { file, line, field: 'command' } });
  }
}

function v1Requirements(requirements: XmlElement | undefined, fail: V1Fail): ToolRequirements {
  if (requirements === undefined) return {};
  let conda: { env?: string; init?: string; packages: string[]; channels: string[] } | undefined;
  let docker: { image: string } | undefined;
  for (const element of childElements(requirements)) {
    const kind = element.attributes['type'];
    const value = elementText(element).trim();
    if (element.name === 'container' && kind === 'docker') {
      if (value === '') throw fail(element, 'a docker container needs an image', 'container');
      docker ??= { image: value };
    } else if (element.name === 'package' && kind === 'conda') {
      conda ??= { packages: [], channels: [] };
      conda.env ??= element.attributes['env'];
      conda.init ??= element.attributes['init'];
      const version = element.attributes['version'];
      const words = value.split(/\s+/).filter((w) => w !== '');
      for (let k = 0; k < words.length; k++) {
        const word = words[k] as string;
        if ((word === '-c' || word === '--channel') && k + 1 < words.length) conda.channels.push(words[++k] as string);
        else if (word.startsWith('--channel=')) conda.channels.push(word.slice('--channel='.length));
        else conda.packages.push(version !== undefined && words.length === 1 ? `${word}=${version}` : word);
      }
    } else {
      throw fail(element, `unsupported requirement (only <package type="conda"> and <container type="docker">)`, 'type');
    }
  }
  const condaRequirement: CondaRequirement | undefined =
    conda === undefined
      ? undefined
      : withoutUndefined({
          env: conda.env,
          init: conda.init,
          packages: conda.packages.length > 0 ? conda.packages : undefined,
          channels: conda.channels.length > 0 ? conda.channels : undefined,
        });
  return withoutUndefined({ conda: condaRequirement, docker });
}

function shedString(shed: ShedYml, key: string): string | undefined {
  const value = shed[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Trims blank edges and removes the indentation common to all non-blank lines. */
function dedent(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines
    .map((l) => l.slice(common).trimEnd())
    .join('\n')
    .trim();
}
