import { ToolError } from '../errors/area-errors.js';
import type { ToolChoice, ToolInput, ToolInputType, ToolOutput, ToolParamValue, ToolTest, ToolTestCompare } from './tool-manifest.js';
import { TOOL_TEST_COMPARES } from './tool-manifest.js';
import type { V1QuirkReport } from './v1-quirks.js';
import { childElements, elementText, type XmlElement } from './xml-parser.js';

/** Builds the BAD_MANIFEST error for a v1 element: `FILE: line N: <tag>: why`. */
export type V1Fail = (element: XmlElement, why: string, field?: string) => ToolError;

/** Makes the {@link V1Fail} of one wrapper file. */
export function v1Fail(file: string): V1Fail {
  return (element, why, field) =>
    new ToolError('BAD_MANIFEST', `${file}: line ${element.line}: <${element.name}>: ${why}`, {
      details: { file, line: element.line, ...(field === undefined ? {} : { field }) },
    });
}

const V1_TYPES: Readonly<Record<string, ToolInputType>> = {
  data: 'data',
  integer: 'int',
  float: 'float',
  number: 'float',
  string: 'string',
  text: 'string',
  boolean: 'bool',
  bool: 'bool',
  select: 'choice',
};
const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Converts the `<param>` children of a v1 `<inputs>` element. Supported types: data, integer,
 * float/number, string/text, boolean/bool, select. As in v1, `argument="--patch-size"` names the
 * input `patchsize` (dashes removed, winning over `name`); `optional="true"` means advanced (the
 * value stays required). Quirks v1 accepts go to `quirk`: a repeated select option value (the
 * first is kept) and a decimal `min`/`max` on an integer parameter (read as the integer it
 * equals, else rounded inwards, which allows the same integers).
 */
export function v1Inputs(inputs: XmlElement | undefined, fail: V1Fail, quirk: V1QuirkReport): ToolInput[] {
  if (inputs === undefined) return [];
  return childElements(inputs).map((element) => {
    if (element.name !== 'param') throw fail(element, `unsupported element in <inputs> (only <param> is supported)`);
    return v1Param(element, fail, quirk);
  });
}

function v1Param(element: XmlElement, fail: V1Fail, quirk: V1QuirkReport): ToolInput {
  const a = element.attributes;
  const argument = a['argument'];
  const name = argument === undefined ? a['name'] : argument.replace(/-/g, '');
  if (name === undefined || name === '') throw fail(element, 'needs a name or an argument', 'name');
  const v1Type = a['type'];
  if (v1Type === undefined) throw fail(element, `parameter '${name}' needs a type`, 'type');
  const type = V1_TYPES[v1Type];
  if (type === undefined) {
    throw fail(element, `parameter '${name}' has unsupported type '${v1Type}' (supported: ${Object.keys(V1_TYPES).join(', ')})`, 'type');
  }
  const number = (attr: string): number | undefined => {
    const text = a[attr]?.trim();
    if (text === undefined || text === '') return undefined;
    if (type === 'int' && attr !== 'value' && !INT.test(text) && FLOAT.test(text)) return integerBound(element, name, attr, text, quirk);
    if (!(type === 'int' ? INT : FLOAT).test(text)) {
      throw fail(element, `parameter '${name}': ${attr}="${text}" is not ${type === 'int' ? 'an integer' : 'a number'}`, attr);
    }
    return Number(text);
  };
  const helpChild = childElements(element, 'help')[0];
  const help = a['help'] ?? (helpChild === undefined ? undefined : elementText(helpChild).trim());
  let default_: ToolParamValue | undefined;
  let choices: ToolChoice[] | undefined;
  if (type === 'int' || type === 'float') default_ = number('value');
  else if (type === 'string') default_ = a['value'] ?? '';
  else if (type === 'bool') default_ = v1Bool(a['checked'] ?? a['value'] ?? 'false', element, name, fail);
  else if (type === 'choice') {
    if (childElements(element, 'options').length > 0) throw fail(element, `parameter '${name}': dynamic <options> are not supported`);
    const options = childElements(element, 'option');
    if (options.length === 0) throw fail(element, `select parameter '${name}' has no <option>`, 'option');
    choices = [];
    const firstLine = new Map<string, number>();
    let selected: string | undefined;
    for (const o of options) {
      const label = elementText(o).trim();
      const value = o.attributes['value'] ?? label;
      if (selected === undefined && /^(true|yes|1)$/i.test(o.attributes['selected'] ?? '')) selected = value;
      const first = firstLine.get(value);
      if (first !== undefined) {
        quirk(o, 'duplicate-choice', `select parameter '${name}' repeats the option value '${value}' of line ${first}; the first is kept`, 'value');
        continue;
      }
      firstLine.set(value, o.line);
      choices.push({ value, label: label === '' ? (o.attributes['value'] ?? '') : label });
    }
    default_ = selected ?? choices.find((c) => c.value === a['value'])?.value ?? choices[0]?.value;
  }
  const input: ToolInput = {
    name,
    type,
    label: a['label'],
    help: help === '' ? undefined : help,
    format: type === 'data' ? a['format'] : undefined,
    default: default_,
    min: type === 'int' || type === 'float' ? number('min') : undefined,
    max: type === 'int' || type === 'float' ? number('max') : undefined,
    choices,
    advanced: /^true$/i.test(a['optional'] ?? '') ? true : undefined,
    argument,
    trueValue: type === 'bool' ? a['truevalue'] : undefined,
    falseValue: type === 'bool' ? a['falsevalue'] : undefined,
  };
  return withoutUndefined(input);
}

/** A decimal `min`/`max` of an integer parameter: the integer it equals, else rounded inwards (with a quirk report). */
function integerBound(element: XmlElement, name: string, attr: string, text: string, quirk: V1QuirkReport): number {
  const value = Number(text);
  const bound = attr === 'min' ? Math.ceil(value) : Math.floor(value);
  const how = bound === value ? `read as ${bound}` : `read as ${bound}, the ${attr === 'min' ? 'smallest' : 'largest'} integer it allows`;
  quirk(element, 'decimal-integer-bound', `integer parameter '${name}': ${attr}="${text}" is a decimal number; ${how}`, attr);
  return bound;
}

function v1Bool(text: string, element: XmlElement, name: string, fail: V1Fail): boolean {
  if (/^(true|yes|1)$/i.test(text.trim())) return true;
  if (/^(false|no|0)$/i.test(text.trim())) return false;
  throw fail(element, `boolean parameter '${name}': '${text}' is not true or false`, 'value');
}

/** Converts the `<data name format label/>` children of a v1 `<outputs>` element. */
export function v1Outputs(outputs: XmlElement | undefined, fail: V1Fail): ToolOutput[] {
  if (outputs === undefined) return [];
  return childElements(outputs).map((element) => {
    if (element.name !== 'data') throw fail(element, 'unsupported element in <outputs> (only <data> is supported)');
    const { name, format, label } = element.attributes;
    if (name === undefined || name === '') throw fail(element, 'output needs a name', 'name');
    if (format === undefined || format === '') throw fail(element, `output '${name}' needs a format`, 'format');
    return withoutUndefined({ name, format, label });
  });
}

/**
 * Converts v1 `<tests><test><param name value/>…<output name file compare/></test></tests>`: params
 * naming data inputs go to `inputs`, the others to `params`. Like v1, which never checked them,
 * entries naming no input or output (or of another element) are skipped and an unknown `compare`
 * is left out (published wrappers contain such tests), so a sloppy test never stops a wrapper
 * from loading. An output with an empty `file=""` goes to `quirk` and is checked for existence only.
 */
export function v1Tests(tests: XmlElement | undefined, inputs: readonly ToolInput[], outputs: readonly ToolOutput[], quirk: V1QuirkReport): ToolTest[] {
  if (tests === undefined) return [];
  const types = new Map(inputs.map((i) => [i.name, i.type]));
  const outputNames = new Set(outputs.map((o) => o.name));
  return childElements(tests, 'test').map((test) => {
    const params: [string, string][] = [];
    const dataInputs: [string, string][] = [];
    const expected: [string, { file?: string; compare?: ToolTestCompare }][] = [];
    for (const element of childElements(test)) {
      const { name = '', value, file, compare } = element.attributes;
      const type = types.get(name);
      if (element.name === 'param' && type !== undefined) {
        (type === 'data' ? dataInputs : params).push([name, value ?? file ?? '']);
      } else if (element.name === 'output' && outputNames.has(name)) {
        const known = (TOOL_TEST_COMPARES as readonly string[]).includes(compare ?? '') ? (compare as ToolTestCompare) : undefined;
        const empty = file !== undefined && file.trim() === '';
        if (empty) quirk(element, 'empty-test-file', `test output '${name}' has an empty file=""; only its existence is checked`, 'file');
        expected.push([name, withoutUndefined({ file: empty ? undefined : file, compare: known })]);
      }
    }
    return { params: Object.fromEntries(params), inputs: Object.fromEntries(dataInputs), outputs: Object.fromEntries(expected) };
  });
}

/** A copy of `value` without its undefined members (manifests are plain JSON). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
