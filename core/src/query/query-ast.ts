/**
 * The syntax tree of a parsed query. Plain readonly JSON: it can be logged, stored in a run
 * record or rewritten by tools. Columns are 1-based positions in the query text.
 */

/**
 * The item fields a query reaches by a bare name; any other key names a tag. `channels` is the
 * list of the item's channel names (image metadata): a condition on it holds when it holds for
 * any channel (`!=`, `!~` and `not in` when it holds for none).
 */
export type QueryItemField = 'name' | 'format' | 'date' | 'dataset' | 'channels';

/** What a condition reads: an item field, or a tag (missing tags read as `""`). */
export type QueryFieldRef = { readonly kind: 'item'; readonly field: QueryItemField } | { readonly kind: 'tag'; readonly key: string };

/**
 * Comparison operators. `=`/`!=` compare exact strings (except `name=`, a substring match kept
 * from v1); `<`, `<=`, `>`, `>=` compare numbers when both sides are numbers and strings
 * otherwise; `~`/`!~` test a JavaScript regular expression anywhere in the value.
 */
export type QueryOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~';

/** `key OP value`. */
export interface QueryComparisonNode {
  readonly kind: 'compare';
  readonly field: QueryFieldRef;
  readonly op: QueryOperator;
  readonly value: string;
  /** Column of the key. */
  readonly column: number;
  /** Column of the value (where a bad regular expression is reported). */
  readonly valueColumn: number;
}

/** `key in (a, b, ...)` or `key not in (...)`: exact string membership. */
export interface QueryInNode {
  readonly kind: 'in';
  readonly field: QueryFieldRef;
  readonly values: readonly string[];
  readonly negated: boolean;
  readonly column: number;
}

/** `NOT operand`. */
export interface QueryNotNode {
  readonly kind: 'not';
  readonly operand: QueryNode;
}

/** Two or more operands joined by `AND` (flattened: `a AND b AND c` is one node). */
export interface QueryAndNode {
  readonly kind: 'and';
  readonly operands: readonly QueryNode[];
}

/** Two or more operands joined by `OR` (flattened). */
export interface QueryOrNode {
  readonly kind: 'or';
  readonly operands: readonly QueryNode[];
}

/** The empty query: matches every item. */
export interface QueryAllNode {
  readonly kind: 'all';
}

/** Any node of a query's syntax tree, discriminated by `kind`. */
export type QueryNode = QueryComparisonNode | QueryInNode | QueryNotNode | QueryAndNode | QueryOrNode | QueryAllNode;
