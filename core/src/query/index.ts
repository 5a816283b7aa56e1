/**
 * The query language: parse once, filter many. See {@link parseQuery} for syntax and semantics.
 */
export type {
  QueryAllNode,
  QueryAndNode,
  QueryComparisonNode,
  QueryFieldRef,
  QueryInNode,
  QueryItemField,
  QueryNode,
  QueryNotNode,
  QueryOperator,
  QueryOrNode,
} from './query-ast.js';
export type { QueryFields, QueryPredicate } from './query-fields.js';
export { parseQuery, filterItems, type ParsedQuery, type ParseQueryOptions } from './parse-query.js';
export { formatQueryError } from './query-errors.js';
export { parseQueryNumber } from './query-compiler.js';
export { LinearRegex, RegexSyntaxError, MAX_GROUP_DEPTH, MAX_PROGRAM_SIZE, MAX_REPEAT } from './linear-regex.js';
