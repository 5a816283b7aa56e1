import type { QueryFieldRef, QueryNode } from './query-ast.js';
import { compileQuery } from './query-compiler.js';
import { queryErrorAt } from './query-errors.js';
import type { QueryFields, QueryPredicate } from './query-fields.js';
import { parseQueryAst } from './query-parser.js';

/** A query parsed and compiled once, to be applied to any number of items. */
export interface ParsedQuery {
  /** The text it was parsed from. */
  readonly text: string;
  readonly ast: QueryNode;
  /** Tag keys the query reads, each once, in order of first appearance (item fields excluded). */
  readonly keys: readonly string[];
  /**
   * True when the query reads tags only (no `name`, `format`, `date`, `dataset`, `channels`): its
   * answer for an item then depends on the values of {@link keys} alone, which an index can use.
   */
  readonly tagsOnly: boolean;
  /** The compiled predicate; a plain function, safe to pass to `Array#filter`. */
  matches: QueryPredicate;
}

/** Options of {@link parseQuery}. */
export interface ParseQueryOptions {
  /**
   * The tag keys that exist (e.g. the experiment's vocabulary). When given, a query naming any
   * other tag throws `UNKNOWN_FIELD`; by default unknown tags are allowed and read as `""`.
   */
  readonly tagKeys?: readonly string[];
}

function visitFields(node: QueryNode, visit: (field: QueryFieldRef, column: number) => void): void {
  switch (node.kind) {
    case 'compare':
    case 'in':
      visit(node.field, node.column);
      return;
    case 'not':
      visitFields(node.operand, visit);
      return;
    case 'and':
    case 'or':
      for (const operand of node.operands) visitFields(operand, visit);
      return;
    case 'all':
      return;
  }
}

/**
 * Parses and compiles a query. The language, a superset of BioImageIT v1's:
 *
 * - conditions `key OP value` with OP among `=`, `!=`, `<`, `<=`, `>`, `>=`, `~` (JavaScript
 *   regular expression found anywhere in the value, like Python's `re.search`), `!~`, and
 *   `key in (a, b)` / `key not in (a, b)` (exact membership); `==` is accepted for `=`;
 * - `NOT` > `AND` > `OR` (keywords in any case, or `!`, `&&`, `||`), parentheses;
 * - keys: `name`, `format`, `date`, `dataset` read the item, `channels` the channel names of its
 *   image metadata; any other key reads a tag, and `tag:K` / `tags.K` reads tag K even when K is
 *   one of those five (`tag:name`, `tag:channels`);
 * - values and keys are bare words (up to whitespace, `(`, `)`, `,`, an operator, `&&`, `||`) or
 *   single/double-quoted strings where `\` escapes the quote and itself (other `\x` stay as
 *   written, so `"\d+"` is a regex digit class). Quote a key containing spaces (`"cell line"=x`,
 *   `"tag:name"=x`) and words spelled like keywords (`x="and"`). After `~`, a bare value runs to
 *   the next whitespace or unmatched `)`, so `name~(a|b)\.tif` needs no quotes.
 *
 * Semantics:
 * - `=` is exact string equality (`number=1` does not match `"001"`), except **`name=V`, which
 *   is a substring match on the item name** as in v1 (`name=001` matches `population1_001.tif`);
 *   `!=` is the negation of `=` (so `name!=V` means "name does not contain V"). `name~`, `name
 *   in (...)` and the ordering operators treat the name like any other field;
 * - `<`, `<=`, `>`, `>=` compare numerically when both sides are decimal numbers (`"001"` is 1,
 *   so `number>2` is false on `"001"` and true on `"003"`), otherwise as plain strings by UTF-16
 *   code unit (ISO dates order correctly); they never throw on text;
 * - a tag the item lacks reads as `""` (so `number<5` is true on an item without `number`, by
 *   string order, and `number!=3` is true);
 * - `channels` holds one value per channel (a nameless channel, or an item without channels,
 *   reads as `""`): `channels ~ 'GFP'`, `channels = DAPI`, `channels in (a, b)` and the ordering
 *   operators hold when they hold for **any** channel; `!=`, `!~` and `not in` hold when the
 *   positive form holds for **none** (`channels !~ GFP`: no channel name contains GFP);
 * - `~` / `!~` test a JavaScript-syntax regular expression (search, no flags) with LinearRegex, in
 *   time linear in the value: back-references and lookaround are BAD_REGEX;
 * - an empty or blank query matches every item.
 *
 * Error columns are 1-based; {@link formatQueryError} draws a caret under them.
 * @throws QueryError `SYNTAX` (malformed text), `BAD_REGEX` (invalid pattern after `~`), or
 *   `UNKNOWN_FIELD` (a tag outside `options.tagKeys`), each with `details.column` and
 *   `details.query`.
 */
export function parseQuery(text: string, options: ParseQueryOptions = {}): ParsedQuery {
  const ast = parseQueryAst(text);
  const keys: string[] = [];
  let tagsOnly = true;
  const known = options.tagKeys === undefined ? undefined : new Set(options.tagKeys);
  visitFields(ast, (field, column) => {
    if (field.kind !== 'tag') {
      tagsOnly = false;
      return;
    }
    if (known !== undefined && !known.has(field.key)) {
      const near = options.tagKeys?.find((k) => k.toLowerCase() === field.key.toLowerCase());
      const hint = near === undefined ? '' : `; did you mean '${near}'?`;
      throw queryErrorAt('UNKNOWN_FIELD', text, column - 1, `unknown tag '${field.key}'${hint}`);
    }
    if (!keys.includes(field.key)) keys.push(field.key);
  });
  return { text, ast, keys, tagsOnly, matches: compileQuery(ast, text) };
}

/**
 * The items a query selects, in their original order. Accepts query text (parsed here) or a
 * {@link ParsedQuery} (reused, e.g. across the datasets of a run). Works on `DataItem`s as they are.
 * @throws QueryError as {@link parseQuery} when given invalid text.
 */
export function filterItems<T extends QueryFields>(items: readonly T[], query: string | ParsedQuery): T[] {
  const { matches } = typeof query === 'string' ? parseQuery(query) : query;
  return items.filter((item) => matches(item));
}
