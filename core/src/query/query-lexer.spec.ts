import { describe, it, expect } from 'vitest';
import { QueryError } from '../errors/index.js';
import { tokenizeQuery } from './query-lexer.js';

const kinds = (text: string) => tokenizeQuery(text).map((t) => `${t.kind}:${t.text}`);

describe('tokenizeQuery', () => {
  it('splits a v1 query with and without spaces around operators', () => {
    expect(kinds('Population=population1 AND number>2')).toEqual([
      'word:Population',
      'op:=',
      'word:population1',
      'word:AND',
      'word:number',
      'op:>',
      'word:2',
      'eof:',
    ]);
    expect(kinds('number >= 2')).toEqual(['word:number', 'op:>=', 'word:2', 'eof:']);
  });

  it('reads every operator, longest first', () => {
    const ops = tokenizeQuery('a=b a==b a!=b a<b a<=b a>b a>=b a~b a!~b')
      .filter((t) => t.kind === 'op')
      .map((t) => t.text);
    expect(ops).toEqual(['=', '==', '!=', '<', '<=', '>', '>=', '~', '!~']);
  });

  it('keeps bare words permissive', () => {
    expect(kinds('x=2.5e3 y=2026-11-24 z=*.tif w=a/b:c+d_e')).toEqual([
      'word:x',
      'op:=',
      'word:2.5e3',
      'word:y',
      'op:=',
      'word:2026-11-24',
      'word:z',
      'op:=',
      'word:*.tif',
      'word:w',
      'op:=',
      'word:a/b:c+d_e',
      'eof:',
    ]);
    expect(kinds("x=it's!")).toEqual(['word:x', 'op:=', "word:it's!", 'eof:']);
  });

  it('reads symbols, &&, || and ! as tokens', () => {
    expect(kinds('!(a=1)&&b=2||c in (x,y)')).toEqual([
      'not:!',
      'lparen:(',
      'word:a',
      'op:=',
      'word:1',
      'rparen:)',
      'and:&&',
      'word:b',
      'op:=',
      'word:2',
      'or:||',
      'word:c',
      'word:in',
      'lparen:(',
      'word:x',
      'comma:,',
      'word:y',
      'rparen:)',
      'eof:',
    ]);
  });

  it('unescapes quoted strings and keeps other backslashes', () => {
    const tokens = tokenizeQuery(String.raw`"cell line"='it\'s' k="a\"b\\c" r="\d+\.tif"`);
    expect(tokens.filter((t) => t.kind === 'string').map((t) => t.text)).toEqual(['cell line', "it's", 'a"b\\c', String.raw`\d+\.tif`]);
  });

  it('reads a bare regular expression after ~ up to whitespace or an unmatched )', () => {
    expect(kinds(String.raw`(name~(a|b)\.tif)`)).toEqual(['lparen:(', 'word:name', 'op:~', String.raw`word:(a|b)\.tif`, 'rparen:)', 'eof:']);
    expect(kinds('name~^p[)]x{1,2} OR a!~=b')).toEqual(['word:name', 'op:~', 'word:^p[)]x{1,2}', 'word:OR', 'word:a', 'op:!~', 'word:=b', 'eof:']);
  });

  it('records 0-based ranges', () => {
    const [key, op, value] = tokenizeQuery('  ab >= "c d"');
    expect([key?.start, key?.end, op?.start, op?.end, value?.start, value?.end]).toEqual([2, 4, 5, 7, 8, 13]);
  });

  it('throws SYNTAX at the opening quote of an unterminated string', () => {
    const err = (() => {
      try {
        tokenizeQuery("a = 'xyz");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).code).toBe('SYNTAX');
    expect((err as QueryError).column).toBe(5);
  });
});
