import type { QueryComparisonNode, QueryNode } from './query-ast.js';
import { LinearRegex } from './linear-regex.js';
import { queryErrorAt } from './query-errors.js';
import type { QueryFieldRef } from './query-ast.js';
import { fieldReader, fieldValuesReader, isListField, type QueryPredicate } from './query-fields.js';

const NUMBER = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * The number a text stands for, as the ordering operators see it: decimal notation with optional
 * sign, fraction and exponent, surrounding blanks allowed (`"001"` → 1, `" 2.5e3 "` → 2500).
 * Returns undefined for anything else (`""`, `"0x10"`, `"inf"`, `"1e999"`), which then compares
 * as text.
 */
export function parseQueryNumber(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

type OrderingOperator = '<' | '<=' | '>' | '>=';

const ORDER_TESTS: Readonly<Record<OrderingOperator, (sign: number) => boolean>> = {
  '<': (sign) => sign < 0,
  '<=': (sign) => sign <= 0,
  '>': (sign) => sign > 0,
  '>=': (sign) => sign >= 0,
};

function sign<T extends number | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A test of one value of a field. */
type ValueTest = (value: string) => boolean;

/** Numeric when both the item's value and the literal are numbers, plain string order otherwise. */
function ordering(op: OrderingOperator, literal: string): ValueTest {
  const test = ORDER_TESTS[op];
  const literalNumber = parseQueryNumber(literal);
  if (literalNumber === undefined) return (value) => test(sign(value, literal));
  return (value) => {
    const number = parseQueryNumber(value);
    return test(number === undefined ? sign(value, literal) : sign(number, literalNumber));
  };
}

/**
 * The predicate that applies `test` to a field: to its value, or for a list field (`channels`)
 * to each of its values, true when any passes. `negated` inverts the result (so a negated
 * condition on a list field holds when no value passes `test`).
 */
function onField(ref: QueryFieldRef, test: ValueTest, negated: boolean): QueryPredicate {
  if (isListField(ref)) {
    const values = fieldValuesReader(ref);
    return negated ? (item) => !values(item).some(test) : (item) => values(item).some(test);
  }
  const read = fieldReader(ref);
  return negated ? (item) => !test(read(item)) : (item) => test(read(item));
}

/**
 * The pattern of a `~`/`!~` comparison, matched in linear time (LinearRegex: JavaScript's syntax
 * without back-references or lookaround), so no query can stall the process that runs it.
 */
function compileRegex(node: QueryComparisonNode, query: string): LinearRegex {
  try {
    return LinearRegex.compile(node.value);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const problem = `invalid regular expression ${JSON.stringify(node.value)}: ${why}`;
    throw queryErrorAt('BAD_REGEX', query, node.valueColumn - 1, problem, cause);
  }
}

function compileComparison(node: QueryComparisonNode, query: string): QueryPredicate {
  const value = node.value;
  const nameField = node.field.kind === 'item' && node.field.field === 'name';
  switch (node.op) {
    case '=':
    case '!=': {
      const equals: ValueTest = nameField ? (v) => v.includes(value) : (v) => v === value;
      return onField(node.field, equals, node.op === '!=');
    }
    case '~':
    case '!~': {
      const regex = compileRegex(node, query);
      return onField(node.field, (v) => regex.test(v), node.op === '!~');
    }
    default:
      return onField(node.field, ordering(node.op, value), false);
  }
}

function all(predicates: readonly QueryPredicate[]): QueryPredicate {
  if (predicates.length === 2) {
    const [a, b] = predicates as [QueryPredicate, QueryPredicate];
    return (item) => a(item) && b(item);
  }
  return (item) => predicates.every((p) => p(item));
}

function any(predicates: readonly QueryPredicate[]): QueryPredicate {
  if (predicates.length === 2) {
    const [a, b] = predicates as [QueryPredicate, QueryPredicate];
    return (item) => a(item) || b(item);
  }
  return (item) => predicates.some((p) => p(item));
}

/**
 * Turns a syntax tree into one closure, once: regular expressions are built, literal numbers
 * parsed and `in` lists turned into sets before any item is seen. `query` is the original text,
 * used only to report errors.
 * @throws QueryError `BAD_REGEX` at the column of an invalid `~`/`!~` pattern.
 */
export function compileQuery(node: QueryNode, query: string): QueryPredicate {
  switch (node.kind) {
    case 'all':
      return () => true;
    case 'compare':
      return compileComparison(node, query);
    case 'in': {
      const values: ReadonlySet<string> = new Set(node.values);
      return onField(node.field, (v) => values.has(v), node.negated);
    }
    case 'not': {
      const operand = compileQuery(node.operand, query);
      return (item) => !operand(item);
    }
    case 'and':
      return all(node.operands.map((operand) => compileQuery(operand, query)));
    case 'or':
      return any(node.operands.map((operand) => compileQuery(operand, query)));
  }
}
