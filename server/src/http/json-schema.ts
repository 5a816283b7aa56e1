/**
 * The subset of JSON Schema (draft 2020-12 keywords) the OpenAPI document uses, and a validator
 * for it. Request bodies and parameters are checked against the very schemas the document
 * publishes, so the document and the implementation cannot drift apart.
 */
export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: JsonType | readonly JsonType[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  /** Schema every property name of an object must meet. */
  readonly propertyNames?: JsonSchema;
  readonly oneOf?: readonly JsonSchema[];
  readonly default?: unknown;
  readonly format?: string;
  readonly title?: string;
  readonly examples?: readonly unknown[];
}

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** Resolves `#/components/schemas/Name` references. */
export type SchemaResolver = (ref: string) => JsonSchema | undefined;

/**
 * Every way `value` breaks `schema`, as `where: problem` lines (`body.updates[0].itemId: expected
 * string, got number`); empty when it conforms. Unknown `$ref`s are reported, never ignored.
 */
export function validateJson(value: unknown, schema: JsonSchema, where: string, resolve: SchemaResolver = () => undefined): string[] {
  const problems: string[] = [];
  check(value, schema, where, resolve, problems);
  return problems;
}

function check(value: unknown, schema: JsonSchema, where: string, resolve: SchemaResolver, problems: string[]): void {
  if (problems.length >= 20) return;
  if (schema.$ref !== undefined) {
    const target = resolve(schema.$ref);
    if (target === undefined) problems.push(`${where}: unknown schema ${schema.$ref}`);
    else check(value, target, where, resolve, problems);
    return;
  }
  if (schema.oneOf !== undefined) {
    const passing = schema.oneOf.filter((s) => validateJson(value, s, where, resolve).length === 0).length;
    if (passing !== 1) problems.push(`${where}: matches ${passing} of the ${schema.oneOf.length} allowed shapes (expected exactly one)`);
    return;
  }
  if (schema.type !== undefined) {
    const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!types.some((t) => hasType(value, t))) {
      problems.push(`${where}: expected ${types.join(' or ')}, got ${describe(value)}`);
      return;
    }
  }
  if (schema.enum !== undefined && !schema.enum.includes(value as never)) {
    problems.push(`${where}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}`);
  }
  if (typeof value === 'string') checkString(value, schema, where, problems);
  else if (typeof value === 'number') checkNumber(value, schema, where, problems);
  else if (Array.isArray(value)) checkArray(value, schema, where, resolve, problems);
  else if (value !== null && typeof value === 'object') checkObject(value as Record<string, unknown>, schema, where, resolve, problems);
}

function checkString(value: string, schema: JsonSchema, where: string, problems: string[]): void {
  if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${where}: must be at least ${schema.minLength} character(s) long`);
  if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`${where}: must be at most ${schema.maxLength} characters long`);
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
    problems.push(`${where}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
}

function checkNumber(value: number, schema: JsonSchema, where: string, problems: string[]): void {
  if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${where}: must be >= ${schema.minimum}, got ${value}`);
  if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${where}: must be <= ${schema.maximum}, got ${value}`);
}

function checkArray(value: readonly unknown[], schema: JsonSchema, where: string, resolve: SchemaResolver, problems: string[]): void {
  if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${where}: needs at least ${schema.minItems} element(s)`);
  if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${where}: allows at most ${schema.maxItems} elements`);
  if (schema.items !== undefined) value.forEach((v, i) => check(v, schema.items as JsonSchema, `${where}[${i}]`, resolve, problems));
}

function checkObject(value: Record<string, unknown>, schema: JsonSchema, where: string, resolve: SchemaResolver, problems: string[]): void {
  const keys = Object.keys(value);
  if (schema.minProperties !== undefined && keys.length < schema.minProperties)
    problems.push(`${where}: needs at least ${schema.minProperties} entr${schema.minProperties === 1 ? 'y' : 'ies'}`);
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) problems.push(`${where}: allows at most ${schema.maxProperties} entries`);
  if (schema.propertyNames !== undefined) for (const key of keys) check(key, schema.propertyNames, `${where} key ${JSON.stringify(key)}`, resolve, problems);
  for (const name of schema.required ?? []) if (!Object.hasOwn(value, name)) problems.push(`${where}.${name}: is required`);
  const properties = schema.properties ?? {};
  for (const key of keys) {
    const own = properties[key];
    if (own !== undefined) check(value[key], own, `${where}.${key}`, resolve, problems);
    else if (schema.additionalProperties === false)
      problems.push(`${where}.${key}: unknown property (allowed: ${Object.keys(properties).join(', ') || 'none'})`);
    else if (typeof schema.additionalProperties === 'object') check(value[key], schema.additionalProperties, `${where}.${key}`, resolve, problems);
  }
}

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
