import { ToolError } from '../errors/area-errors.js';
import { suspiciousPlaceholders, templatePlaceholders } from './argv-template.js';
import { at, index, ManifestChecker, type ManifestProblem } from './manifest-checker.js';
import { TOOL_TEST_COMPARES, type ToolInput, type ToolManifestBody, type ToolOutput } from './tool-manifest.js';
import { checkInputs, checkOutputs } from './validate-tool-io.js';

/** Every field of a manifest, in schema order. `source` and `digest` are set by the loader. */
export const TOOL_MANIFEST_FIELDS = [
  'id',
  'name',
  'version',
  'description',
  'categories',
  'inputs',
  'outputs',
  'command',
  'requirements',
  'resources',
  'type',
  'tests',
  'help',
  'owner',
  'homepage',
  'authors',
  'license',
  'cite',
  'facts',
  'source',
  'digest',
] as const;

/** Namespaced lower-case id: `biitcopy`, `gpu-decon.deconvolve`. */
export const TOOL_ID = /^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)*$/;
/** Semver-ish version: `1.0.0`, `3.0`, `2.4.1+galaxy0`, `1.0.0-rc.1`. */
export const TOOL_VERSION = /^\d+(?:\.\d+){0,3}(?:[-+][0-9A-Za-z.+-]+)?$/;
/**
 * A key of a tool's `requirements`: `docker`, `conda` and `native` have their fields checked here;
 * any other such key (`apptainer`) is an object whose fields belong to the runner plugin that
 * declares it satisfies the key.
 */
export const REQUIREMENT_KEY = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Checks a parsed native manifest (`*.tool.json`) and returns every problem with its JSON path
 * (`inputs[2].type: expected one of data, int, ...`). An empty list means the value is a valid
 * manifest body. `source` and `digest` in the file are tolerated and ignored (the loader sets them).
 */
export function checkToolManifest(raw: unknown): ManifestProblem[] {
  const check = new ManifestChecker();
  const root = check.object(raw, '');
  if (root === undefined) return check.problems;
  check.knownKeys(root, '', ['$schema', ...TOOL_MANIFEST_FIELDS]);
  check.string(root, 'id', '', { required: true, pattern: TOOL_ID, shape: "a lower-case id such as 'plugin.tool'" });
  check.string(root, 'name', '', { required: true, nonEmpty: true });
  check.string(root, 'version', '', { required: true, pattern: TOOL_VERSION, shape: "a version such as '1.0.0'" });
  for (const key of ['description', 'help', 'owner', 'homepage', 'license']) check.string(root, key, '');
  check.strings(root, 'categories', '');
  check.strings(root, 'authors', '');
  checkAbout(check, root['cite'], root['facts']);
  const names = new Set<string>();
  const inputs = checkInputs(check, root['inputs'], names);
  const outputs = checkOutputs(check, root['outputs'], names);
  checkCommand(check, root['command'], inputs, outputs);
  checkRequirements(check, root['requirements']);
  checkResources(check, root['resources']);
  check.oneOf(root, 'type', '', ['map', 'reduce']);
  checkTests(check, root['tests'], inputs, outputs);
  return check.problems;
}

/**
 * Validates a parsed native manifest and returns its body with defaults filled in (`description`
 * '', `categories`/`inputs`/`outputs`/`tests` [], `requirements`/`resources` {}, `type` 'map').
 * Called by the loaders; `file` names the manifest in errors.
 *
 * @throws ToolError BAD_MANIFEST `FILE: invalid tool manifest: PATH: why; PATH: why` with
 * `details.problems` listing every {@link ManifestProblem}.
 */
export function validateToolManifest(raw: unknown, file: string): ToolManifestBody {
  const problems = checkToolManifest(raw);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new ToolError('BAD_MANIFEST', `${file}: invalid tool manifest: ${list}`, { details: { file, problems } });
  }
  const m = raw as Record<string, unknown> & ToolManifestBody;
  const body: ToolManifestBody = {
    id: m.id,
    name: m.name,
    version: m.version,
    description: m.description ?? '',
    categories: m.categories ?? [],
    inputs: m.inputs ?? [],
    outputs: m.outputs ?? [],
    command: m.command,
    requirements: m.requirements ?? {},
    resources: m.resources ?? {},
    type: m.type ?? 'map',
    tests: m.tests ?? [],
    help: m.help,
    owner: m.owner,
    homepage: m.homepage,
    authors: m.authors,
    license: m.license,
    cite: m.cite,
    facts: m.facts,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as unknown as ToolManifestBody;
}

/** `cite`: objects with a text and optional doi/url; `facts`: an object of strings. */
function checkAbout(check: ManifestChecker, cite: unknown, facts: unknown): void {
  const list = check.array(cite, 'cite', true);
  list?.forEach((entry, i) => {
    const path = index('cite', i);
    const object = check.object(entry, path);
    if (object === undefined) return;
    check.knownKeys(object, path, ['text', 'doi', 'url']);
    check.string(object, 'text', path, { required: true, nonEmpty: true });
    check.string(object, 'doi', path);
    check.string(object, 'url', path);
  });
  const record = check.object(facts, 'facts', true);
  if (record !== undefined) for (const key of Object.keys(record)) check.string(record, key, 'facts');
}

function checkCommand(check: ManifestChecker, raw: unknown, inputs: readonly ToolInput[], outputs: readonly ToolOutput[]): void {
  if (raw === undefined) return check.add('command', 'is required (an object with an argv array)');
  const command = check.object(raw, 'command');
  if (command === undefined) return;
  check.knownKeys(command, 'command', ['argv']);
  const argv = check.array(command['argv'], 'command.argv');
  if (argv === undefined) return;
  if (argv.length === 0) check.add('command.argv', 'needs at least the program to run');
  const kinds = new Map<string, ReadonlySet<string>>([
    ['inputs', new Set(inputs.filter((i) => i.type === 'data').map((i) => i.name))],
    ['params', new Set(inputs.filter((i) => i.type !== 'data').map((i) => i.name))],
    ['outputs', new Set(outputs.map((o) => o.name))],
  ]);
  argv.forEach((element, k) => {
    const path = index('command.argv', k);
    if (typeof element !== 'string') return check.add(path, `expected a string, got ${JSON.stringify(element) ?? 'nothing'}`);
    for (const p of templatePlaceholders(element)) {
      const known = kinds.get(p.kind);
      if (known !== undefined && !known.has(p.name)) {
        const what = p.kind === 'inputs' ? 'data input' : p.kind === 'params' ? 'parameter' : 'output';
        check.add(path, `${p.text} names no ${what} (${what}s: ${[...known].join(', ') || 'none'})`);
      }
    }
    for (const text of suspiciousPlaceholders(element)) {
      check.add(path, `${text} is not a placeholder (use {inputs.NAME}, {outputs.NAME}, {params.NAME}, {env.NAME} or {tool.dir})`);
    }
  });
}

function checkRequirements(check: ManifestChecker, raw: unknown): void {
  const requirements = check.object(raw, 'requirements', true);
  if (requirements === undefined) return;
  // Keys beyond the three described here are open: a runner plugin declares it satisfies them.
  for (const key of Object.keys(requirements)) {
    if (!REQUIREMENT_KEY.test(key))
      check.add(at('requirements', key), 'is not a requirement key (lower-case letters, digits and -: docker, conda, native, apptainer...)');
    else if (!['docker', 'conda', 'native'].includes(key)) check.object(requirements[key], at('requirements', key));
  }
  const docker = check.object(requirements['docker'], 'requirements.docker', true);
  if (docker !== undefined) {
    check.knownKeys(docker, 'requirements.docker', ['image', 'network']);
    check.string(docker, 'image', 'requirements.docker', { required: true, nonEmpty: true });
    check.boolean(docker, 'network', 'requirements.docker');
  }
  const conda = check.object(requirements['conda'], 'requirements.conda', true);
  if (conda !== undefined) {
    check.knownKeys(conda, 'requirements.conda', ['env', 'packages', 'channels', 'file', 'init']);
    for (const key of ['env', 'file', 'init']) check.string(conda, key, 'requirements.conda', { nonEmpty: true });
    check.strings(conda, 'packages', 'requirements.conda');
    check.strings(conda, 'channels', 'requirements.conda');
  }
  const native = check.object(requirements['native'], 'requirements.native', true);
  if (native !== undefined) {
    check.knownKeys(native, 'requirements.native', ['executables', 'plugin']);
    check.strings(native, 'executables', 'requirements.native');
    check.string(native, 'plugin', 'requirements.native', { nonEmpty: true });
  }
}

function checkResources(check: ManifestChecker, raw: unknown): void {
  const resources = check.object(raw, 'resources', true);
  if (resources === undefined) return;
  check.knownKeys(resources, 'resources', ['cpus', 'memoryMb', 'gpus', 'timeoutS']);
  check.number(resources, 'cpus', 'resources', { min: 0, exclusiveMin: true });
  check.number(resources, 'memoryMb', 'resources', { min: 0, exclusiveMin: true });
  check.number(resources, 'gpus', 'resources', { integer: true, min: 0 });
  check.number(resources, 'timeoutS', 'resources', { min: 0, exclusiveMin: true });
}

function checkTests(check: ManifestChecker, raw: unknown, inputs: readonly ToolInput[], outputs: readonly ToolOutput[]): void {
  const list = check.array(raw, 'tests', true) ?? [];
  const data = new Set(inputs.filter((i) => i.type === 'data').map((i) => i.name));
  const params = new Set(inputs.filter((i) => i.type !== 'data').map((i) => i.name));
  const outs = new Set(outputs.map((o) => o.name));
  list.forEach((item, k) => {
    const path = index('tests', k);
    const test = check.object(item, path);
    if (test === undefined) return;
    check.knownKeys(test, path, ['params', 'inputs', 'outputs']);
    const record = (key: string, names: ReadonlySet<string>, what: string, each: (value: unknown, where: string) => void): void => {
      const object = check.object(test[key] ?? {}, at(path, key));
      for (const [name, value] of Object.entries(object ?? {})) {
        const where = at(at(path, key), name);
        if (!names.has(name)) check.add(where, `names no ${what}`);
        each(value, where);
      }
    };
    const isString = (value: unknown, where: string): void => {
      if (typeof value !== 'string') check.add(where, `expected a string, got ${JSON.stringify(value)}`);
    };
    record('params', params, 'parameter', isString);
    record('inputs', data, 'data input', isString);
    record('outputs', outs, 'output', (value, where) => {
      const expected = check.object(value, where);
      if (expected === undefined) return;
      check.knownKeys(expected, where, ['file', 'compare']);
      check.string(expected, 'file', where, { nonEmpty: true });
      check.oneOf(expected, 'compare', where, TOOL_TEST_COMPARES);
    });
  });
}
