import { at, index, type ManifestChecker } from './manifest-checker.js';
import { TOOL_INPUT_TYPES, type ToolInput, type ToolOutput } from './tool-manifest.js';

/** Input and output names: usable in placeholders and in v1's `${name}`. */
export const IO_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const INPUT_FIELDS = [
  'name',
  'type',
  'label',
  'help',
  'format',
  'default',
  'min',
  'max',
  'choices',
  'optional',
  'advanced',
  'argument',
  'trueValue',
  'falseValue',
] as const;
const OUTPUT_FIELDS = ['name', 'format', 'label', 'template', 'extension'] as const;
const TEMPLATE_FIELDS = ['{output}', '{input.stem}', '{input.name}', '{index}'];
/** A file extension, with or without the leading dot. */
export const EXTENSION = /^\.?[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The fields of an input, as the schema lists them. */
export const TOOL_INPUT_FIELDS: readonly string[] = INPUT_FIELDS;
/** The fields of an output, as the schema lists them. */
export const TOOL_OUTPUT_FIELDS: readonly string[] = OUTPUT_FIELDS;

/** Checks `inputs` (path `inputs`); returns the inputs that are well-formed enough to cross-check. */
export function checkInputs(check: ManifestChecker, raw: unknown, names: Set<string>): ToolInput[] {
  const list = check.array(raw, 'inputs', true) ?? [];
  const good: ToolInput[] = [];
  list.forEach((item, k) => {
    const path = index('inputs', k);
    const input = check.object(item, path);
    if (input === undefined) return;
    check.knownKeys(input, path, INPUT_FIELDS);
    const name = check.string(input, 'name', path, { required: true, pattern: IO_NAME, shape: 'a name of letters, digits, _ and -' });
    const type = check.oneOf(input, 'type', path, TOOL_INPUT_TYPES, true);
    if (name !== undefined) {
      if (names.has(name)) check.add(at(path, 'name'), `duplicate name '${name}' (input and output names must be unique)`);
      names.add(name);
    }
    for (const key of ['label', 'help', 'format', 'argument', 'trueValue', 'falseValue']) check.string(input, key, path);
    check.boolean(input, 'optional', path);
    check.boolean(input, 'advanced', path);
    if (type === undefined) return;
    const onlyFor = (key: string, types: readonly string[]): void => {
      if (input[key] !== undefined && !types.includes(type)) check.add(at(path, key), `only ${types.join(' and ')} inputs have '${key}'`);
    };
    onlyFor('format', ['data']);
    onlyFor('min', ['int', 'float']);
    onlyFor('max', ['int', 'float']);
    onlyFor('choices', ['choice']);
    onlyFor('trueValue', ['bool']);
    onlyFor('falseValue', ['bool']);
    const min = check.number(input, 'min', path, { integer: type === 'int' });
    const max = check.number(input, 'max', path, { integer: type === 'int' });
    if (min !== undefined && max !== undefined && min > max) check.add(at(path, 'min'), `min ${min} is greater than max ${max}`);
    const choices = checkChoices(check, input, path, type);
    checkDefault(check, input, path, type, { min, max, choices });
    if (name !== undefined) good.push(input as unknown as ToolInput);
  });
  return good;
}

function checkChoices(check: ManifestChecker, input: Record<string, unknown>, path: string, type: string): string[] | undefined {
  if (type !== 'choice') return undefined;
  const list = check.array(input['choices'], at(path, 'choices'));
  if (list === undefined) return undefined;
  if (list.length === 0) check.add(at(path, 'choices'), 'a choice input needs at least one choice');
  const values: string[] = [];
  list.forEach((item, k) => {
    const where = index(at(path, 'choices'), k);
    const choice = check.object(item, where);
    if (choice === undefined) return;
    check.knownKeys(choice, where, ['value', 'label']);
    const value = check.string(choice, 'value', where, { required: true });
    check.string(choice, 'label', where, { required: true });
    if (value === undefined) return;
    if (values.includes(value)) check.add(at(where, 'value'), `duplicate choice '${value}'`);
    else values.push(value);
  });
  return values;
}

function checkDefault(
  check: ManifestChecker,
  input: Record<string, unknown>,
  path: string,
  type: string,
  limits: { min?: number | undefined; max?: number | undefined; choices?: string[] | undefined },
): void {
  const value = input['default'];
  const where = at(path, 'default');
  if (value === undefined) return;
  if (type === 'data') {
    check.add(where, 'data inputs have no default');
  } else if (type === 'int' || type === 'float') {
    const n = check.number(input, 'default', path, { integer: type === 'int' });
    if (n === undefined) return;
    if ((limits.min !== undefined && n < limits.min) || (limits.max !== undefined && n > limits.max)) {
      check.add(where, `default ${n} is outside [${limits.min ?? '-inf'}, ${limits.max ?? 'inf'}]`);
    }
  } else if (type === 'bool') {
    check.boolean(input, 'default', path);
  } else if (typeof value !== 'string') {
    check.add(where, `expected a string, got ${JSON.stringify(value)}`);
  } else if (type === 'choice' && limits.choices !== undefined && !limits.choices.includes(value)) {
    check.add(where, `expected one of ${limits.choices.join(', ')}, got "${value}"`);
  }
}

/** Checks `outputs` (path `outputs`); returns the well-formed ones. */
export function checkOutputs(check: ManifestChecker, raw: unknown, names: Set<string>): ToolOutput[] {
  const list = check.array(raw, 'outputs', true) ?? [];
  const good: ToolOutput[] = [];
  list.forEach((item, k) => {
    const path = index('outputs', k);
    const output = check.object(item, path);
    if (output === undefined) return;
    check.knownKeys(output, path, OUTPUT_FIELDS);
    const name = check.string(output, 'name', path, { required: true, pattern: IO_NAME, shape: 'a name of letters, digits, _ and -' });
    check.string(output, 'format', path, { required: true, nonEmpty: true });
    check.string(output, 'label', path);
    check.string(output, 'extension', path, { pattern: EXTENSION, shape: "a file extension such as '.png'" });
    const template = check.string(output, 'template', path, { nonEmpty: true });
    for (const field of template?.match(/\{[^{}]*\}/g) ?? []) {
      if (!TEMPLATE_FIELDS.includes(field)) check.add(at(path, 'template'), `unknown field ${field} (allowed: ${TEMPLATE_FIELDS.join(', ')})`);
    }
    if (template !== undefined && /[/\\]/.test(template)) check.add(at(path, 'template'), 'a file-name template cannot contain a path separator');
    if (name === undefined) return;
    if (names.has(name)) check.add(at(path, 'name'), `duplicate name '${name}' (input and output names must be unique)`);
    names.add(name);
    good.push(output as unknown as ToolOutput);
  });
  return good;
}
