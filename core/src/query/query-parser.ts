import type { QueryError } from '../errors/index.js';
import type { QueryFieldRef, QueryItemField, QueryNode, QueryOperator } from './query-ast.js';
import { queryErrorAt } from './query-errors.js';
import { tokenizeQuery, type QueryToken } from './query-lexer.js';

const ITEM_FIELDS: ReadonlySet<string> = new Set<QueryItemField>(['name', 'format', 'date', 'dataset', 'channels']);
const TAG_PREFIXES = ['tag:', 'tags.'] as const;
const KEYWORDS: ReadonlySet<string> = new Set(['AND', 'OR', 'NOT', 'IN']);
const MAX_DEPTH = 200;

type Keyword = 'and' | 'or' | 'not' | 'in';

function isKeyword(token: QueryToken, keyword: Keyword): boolean {
  if (token.kind === keyword) return true;
  return token.kind === 'word' && token.text.toLowerCase() === keyword;
}

function isAnyKeyword(token: QueryToken): boolean {
  return token.kind === 'word' && KEYWORDS.has(token.text.toUpperCase());
}

/** A token usable as a key or a value: a quoted string, or a bare word that is no keyword. */
function isText(token: QueryToken): boolean {
  return token.kind === 'string' || (token.kind === 'word' && !isAnyKeyword(token));
}

function describe(token: QueryToken): string {
  if (token.kind === 'eof') return 'the end of the query';
  if (token.kind === 'string') return JSON.stringify(token.text);
  return `'${token.text}'`;
}

/** Maps a key's text to what it reads: `name`/`format`/`date`/`dataset`/`channels`, `tag:K`/`tags.K`, or tag K. */
function resolveField(text: string): QueryFieldRef | undefined {
  if (ITEM_FIELDS.has(text)) return { kind: 'item', field: text as QueryItemField };
  const prefix = TAG_PREFIXES.find((p) => text.startsWith(p));
  const key = prefix === undefined ? text : text.slice(prefix.length);
  return key === '' ? undefined : { kind: 'tag', key };
}

/**
 * Recursive-descent parser. Grammar (keywords case-insensitive, `&&`/`||`/`!` accepted):
 * ```
 * query     := <empty> | or EOF
 * or        := and ( OR and )*
 * and       := unary ( AND unary )*
 * unary     := NOT unary | '(' or ')' | condition
 * condition := key OP value | key [NOT] IN '(' value ( ',' value )* ')'
 * ```
 */
class QueryParser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly QueryToken[],
  ) {}

  parse(): QueryNode {
    if (this.peek().kind === 'eof') return { kind: 'all' };
    const node = this.parseOr();
    const token = this.peek();
    if (token.kind === 'rparen') throw this.error(token, "unexpected ')' without a matching '('");
    if (token.kind !== 'eof') throw this.error(token, `expected AND, OR or the end of the query but found ${describe(token)}`);
    return node;
  }

  private peek(offset = 0): QueryToken {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private advance(): QueryToken {
    const token = this.peek();
    if (token.kind !== 'eof') this.pos++;
    return token;
  }

  private error(token: QueryToken, problem: string): QueryError {
    return queryErrorAt('SYNTAX', this.text, token.start, problem);
  }

  /** ` after 'X'` naming the previous token, or '' at the start of the query. */
  private after(): string {
    return this.pos === 0 ? '' : ` after ${describe(this.tokens[this.pos - 1]!)}`;
  }

  private parseOr(): QueryNode {
    const operands = [this.parseAnd()];
    while (isKeyword(this.peek(), 'or')) {
      this.advance();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private parseAnd(): QueryNode {
    const operands = [this.parseUnary()];
    while (isKeyword(this.peek(), 'and')) {
      this.advance();
      operands.push(this.parseUnary());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private parseUnary(): QueryNode {
    const token = this.peek();
    if (++this.depth > MAX_DEPTH) throw this.error(token, `the query nests deeper than ${MAX_DEPTH} levels`);
    try {
      if (isKeyword(token, 'not')) {
        this.advance();
        return { kind: 'not', operand: this.parseUnary() };
      }
      if (token.kind === 'lparen') {
        this.advance();
        const inner = this.parseOr();
        const close = this.peek();
        if (close.kind !== 'rparen') {
          throw this.error(close, `expected ')' to close the '(' at column ${token.start + 1} but found ${describe(close)}`);
        }
        this.advance();
        return inner;
      }
      return this.parseCondition();
    } finally {
      this.depth--;
    }
  }

  private parseCondition(): QueryNode {
    const keyToken = this.peek();
    if (!isText(keyToken)) throw this.error(keyToken, `expected a condition${this.after()} but found ${describe(keyToken)}`);
    this.advance();
    const field = resolveField(keyToken.text);
    if (field === undefined) throw this.error(keyToken, `expected a field or tag name but found ${describe(keyToken)}`);
    const column = keyToken.start + 1;
    const next = this.peek();
    if (next.kind === 'op') {
      this.advance();
      const valueToken = this.expectValue();
      const op: QueryOperator = next.text === '==' ? '=' : (next.text as QueryOperator);
      return { kind: 'compare', field, op, value: valueToken.text, column, valueColumn: valueToken.start + 1 };
    }
    if (isKeyword(next, 'in')) return this.parseInList(field, column, false);
    if (isKeyword(next, 'not') && isKeyword(this.peek(1), 'in')) {
      this.advance();
      return this.parseInList(field, column, true);
    }
    throw this.error(next, `expected an operator (=, !=, <, <=, >, >=, ~, !~, in) after ${describe(keyToken)} but found ${describe(next)}`);
  }

  private parseInList(field: QueryFieldRef, column: number, negated: boolean): QueryNode {
    this.advance();
    const open = this.peek();
    if (open.kind !== 'lparen') throw this.error(open, `expected '('${this.after()} but found ${describe(open)}`);
    this.advance();
    const values: string[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'rparen' && values.length === 0) throw this.error(token, "expected a value: an 'in' list cannot be empty");
      values.push(this.expectValue().text);
      const sep = this.peek();
      if (sep.kind === 'rparen') break;
      if (sep.kind !== 'comma') throw this.error(sep, `expected ',' or ')' in the 'in' list but found ${describe(sep)}`);
      this.advance();
    }
    this.advance();
    return { kind: 'in', field, values, negated, column };
  }

  private expectValue(): QueryToken {
    const token = this.peek();
    if (isText(token)) return this.advance();
    const hint = isAnyKeyword(token) ? ` (quote it to use the text "${token.text}")` : '';
    throw this.error(token, `expected a value${this.after()} but found ${describe(token)}${hint}`);
  }
}

/**
 * Parses query text into its syntax tree; whitespace-only text gives `{ kind: 'all' }`.
 * @throws QueryError `SYNTAX` with `details.column` at the first token that does not fit.
 */
export function parseQueryAst(text: string): QueryNode {
  return new QueryParser(text, tokenizeQuery(text)).parse();
}
