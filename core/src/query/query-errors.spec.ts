import { describe, it, expect } from 'vitest';
import { QueryError } from '../errors/index.js';
import { parseQuery } from './parse-query.js';
import { formatQueryError } from './query-errors.js';

function failure(text: string): QueryError {
  try {
    parseQuery(text);
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe('query errors', () => {
  const cases: ReadonlyArray<readonly [string, number, string]> = [
    ['Population=population1 AND number>', 35, "expected a value after '>' but found the end of the query"],
    ['a=1 AND', 8, "expected a condition after 'AND' but found the end of the query"],
    ['a=1 AND OR b=2', 9, "expected a condition after 'AND' but found 'OR'"],
    ['AND a=1', 1, "expected a condition but found 'AND'"],
    ['(a=1 OR b=2', 12, "expected ')' to close the '(' at column 1"],
    ['(a=1 b=2)', 6, "expected ')' to close the '(' at column 1 but found 'b'"],
    ['a=1) AND b=2', 4, "unexpected ')' without a matching '('"],
    ['a 1', 3, "after 'a' but found '1'"],
    ['number', 7, 'expected an operator'],
    ['a=1 b=2', 5, "expected AND, OR or the end of the query but found 'b'"],
    ['x = "abc', 5, 'unterminated quoted string'],
    ["x in ('a', 'b)", 12, 'unterminated quoted string'],
    ['k in ()', 7, "an 'in' list cannot be empty"],
    ['k in (a,)', 9, "expected a value after ',' but found ')'"],
    ['k in (a b)', 9, "expected ',' or ')' in the 'in' list but found 'b'"],
    ['k in a', 6, "expected '(' after 'in' but found 'a'"],
    ['=1', 1, "expected a condition but found '='"],
    ['()', 2, "expected a condition after '(' but found ')'"],
    ['NOT', 4, "expected a condition after 'NOT'"],
    ['x=AND', 3, 'quote it to use the text "AND"'],
    ['tag:=1', 1, "expected a field or tag name but found 'tag:'"],
    ['a = 1 OR b < ', 14, "expected a value after '<'"],
  ];

  it.each(cases)('%j is a SYNTAX error at column %i', (text, column, message) => {
    const err = failure(text);
    expect(err.code).toBe('SYNTAX');
    expect(err.column).toBe(column);
    expect(err.details).toEqual({ column, query: text });
    expect(err.message).toContain(`query error at column ${column}: `);
    expect(err.message).toContain(message);
  });

  it('reports a bad regular expression at the column of its value', () => {
    const bare = failure('format=imagetiff AND name~[a-');
    expect([bare.code, bare.column]).toEqual(['BAD_REGEX', 27]);
    expect(bare.message).toMatch(/^query error at column 27: invalid regular expression "\[a-"/);
    expect(bare.cause).toBeInstanceOf(SyntaxError);
    const quoted = failure("k !~ '(x'");
    expect([quoted.code, quoted.column]).toEqual(['BAD_REGEX', 6]);
    // What needs backtracking is refused with the reason (patterns run in linear time).
    const backref = failure("name~'(a)\\1'");
    expect(backref.code).toBe('BAD_REGEX');
    expect(backref.message).toContain('back-references are not supported (they need backtracking) at position 3');
  });

  it('reports an unknown tag when the vocabulary is given', () => {
    expect(() => parseQuery('Population=x AND number>2', { tagKeys: ['Population', 'number'] })).not.toThrow();
    let err: unknown;
    try {
      parseQuery('name=x AND population=p', { tagKeys: ['Population', 'number'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).code).toBe('UNKNOWN_FIELD');
    expect((err as QueryError).column).toBe(12);
    expect((err as QueryError).message).toContain("unknown tag 'population'; did you mean 'Population'?");
  });

  it('formats the query with a caret under the column', () => {
    expect(formatQueryError(failure('Population=population1 AND number>'))).toBe('Population=population1 AND number>\n' + ' '.repeat(34) + '^');
    expect(formatQueryError(failure('a=1 AND'))).toBe('a=1 AND\n       ^');
    expect(formatQueryError(failure('\ta =\n"x'))).toBe('\ta = "x\n\t    ^');
  });

  it('formats nothing for an error without position', () => {
    expect(formatQueryError(new QueryError('SYNTAX', 'hand-made'))).toBe('');
  });
});

describe('regular expressions in queries', () => {
  it('a pattern that makes backtracking explode filters in linear time', async () => {
    const { filterItems } = await import('./parse-query.js');
    const item = (name: string, tags: Record<string, string>) => ({ id: name, name, format: 'imagetiff', tags, author: 'a', date: '2026-01-01' });
    const items = [item('evil', { note: `${'a'.repeat(20_000)}!` }), item('fine', { note: 'aaaa' })];
    // RegExp would need about 2^20000 steps on the first note; this returns at once.
    expect(filterItems(items as never, 'note ~ "^(a+)+$"').map((i: { name: string }) => i.name)).toEqual(['fine']);
  });
});
