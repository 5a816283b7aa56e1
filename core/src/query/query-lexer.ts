import { queryErrorAt } from './query-errors.js';

/** The kinds of token the query lexer produces. */
export type QueryTokenKind =
  | 'word' // a bare word (keywords such as AND are words; the parser recognizes them)
  | 'string' // a quoted string, escapes resolved
  | 'op' // a comparison operator: = == != < <= > >= ~ !~
  | 'and' // &&
  | 'or' // ||
  | 'not' // ! (not followed by = or ~)
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'eof';

/** One token with its 0-based half-open range `[start, end)` in the query text. */
export interface QueryToken {
  readonly kind: QueryTokenKind;
  /** The word, the unescaped string contents, or the symbol itself. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '!~', '=', '<', '>', '~'] as const;
const SYMBOLS: Readonly<Record<string, QueryTokenKind>> = { '(': 'lparen', ')': 'rparen', ',': 'comma' };

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v' || ch === '\u00a0';
}

/** True when a bare word must stop before position `i`. */
function endsWord(text: string, i: number): boolean {
  const ch = text[i]!;
  if (isSpace(ch) || ch === '(' || ch === ')' || ch === ',' || ch === '=' || ch === '<' || ch === '>' || ch === '~') {
    return true;
  }
  const next = text[i + 1];
  if (ch === '!') return next === '=' || next === '~';
  return (ch === '&' && next === '&') || (ch === '|' && next === '|');
}

/**
 * Length of a bare regular expression starting at `start`: it runs to the next whitespace or to
 * a `)` that closes nothing inside it, honouring `\` escapes and `[...]` classes, so that
 * `name~(a|b)\.tif` and `(name~^p[)]x)` read as intended.
 */
function bareRegexEnd(text: string, start: number): number {
  let depth = 0;
  let inClass = false;
  let i = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (isSpace(ch)) break;
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') {
      inClass = true;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      if (depth === 0) break;
      depth--;
    }
    i++;
  }
  return Math.min(i, text.length);
}

/**
 * Reads a quoted string starting at `start` (on the quote). A backslash escapes the quote
 * character and itself; any other `\x` is kept as written, so regular expressions such as
 * `"\d+\.tif"` need no doubling.
 */
function readQuoted(text: string, start: number): QueryToken {
  const quote = text[start]!;
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === quote) return { kind: 'string', text: out, start, end: i + 1 };
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      out += next === quote || next === '\\' ? next : ch + next;
      i += 2;
      continue;
    }
    out += ch;
    i++;
  }
  throw queryErrorAt('SYNTAX', text, start, `unterminated quoted string (missing closing ${quote})`);
}

/**
 * Splits a query into tokens, ending with one `eof` token. Bare words run up to whitespace, a
 * parenthesis, a comma, a quote-free operator (`= < > ~ != !~`) or `&&`/`||`; right after `~` or
 * `!~` an unquoted value is read as a bare regular expression instead (see {@link bareRegexEnd}).
 * @throws QueryError `SYNTAX` for an unterminated quoted string.
 */
export function tokenizeQuery(text: string): QueryToken[] {
  const tokens: QueryToken[] = [];
  let regexNext = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (isSpace(ch)) {
      i++;
      continue;
    }
    const afterRegexOp = regexNext;
    regexNext = false;
    if (ch === '"' || ch === "'") {
      const token = readQuoted(text, i);
      tokens.push(token);
      i = token.end;
      continue;
    }
    if (afterRegexOp) {
      const end = bareRegexEnd(text, i);
      if (end > i) {
        tokens.push({ kind: 'word', text: text.slice(i, end), start: i, end });
        i = end;
        continue;
      }
    }
    const symbol = SYMBOLS[ch];
    if (symbol !== undefined) {
      tokens.push({ kind: symbol, text: ch, start: i, end: i + 1 });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', text: op, start: i, end: i + op.length });
      regexNext = op === '~' || op === '!~';
      i += op.length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      tokens.push({ kind: two === '&&' ? 'and' : 'or', text: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (ch === '!') {
      tokens.push({ kind: 'not', text: ch, start: i, end: i + 1 });
      i++;
      continue;
    }
    let end = i + 1;
    while (end < text.length && !endsWord(text, end)) end++;
    tokens.push({ kind: 'word', text: text.slice(i, end), start: i, end });
    i = end;
  }
  tokens.push({ kind: 'eof', text: '', start: text.length, end: text.length });
  return tokens;
}
