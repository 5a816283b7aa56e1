import { describe, it, expect } from 'vitest';
import type { QueryNode } from './query-ast.js';
import { parseQueryAst } from './query-parser.js';

/** A compact rendering of a tree: `(and a=1 (not b=2))`. */
function show(node: QueryNode): string {
  switch (node.kind) {
    case 'all':
      return '*';
    case 'compare':
    case 'in': {
      const key = node.field.kind === 'item' ? `@${node.field.field}` : node.field.key;
      if (node.kind === 'compare') return `${key}${node.op}${node.value}`;
      return `${key} ${node.negated ? 'not in' : 'in'} [${node.values.join('|')}]`;
    }
    case 'not':
      return `(not ${show(node.operand)})`;
    case 'and':
    case 'or':
      return `(${node.kind} ${node.operands.map(show).join(' ')})`;
  }
}

const p = (text: string) => show(parseQueryAst(text));

describe('parseQueryAst', () => {
  it('gives the match-all node for an empty or blank query', () => {
    expect(parseQueryAst('')).toEqual({ kind: 'all' });
    expect(parseQueryAst('  \t\n ')).toEqual({ kind: 'all' });
  });

  it('parses a v1 query into flat AND with columns', () => {
    expect(parseQueryAst('Population=population1 AND number>2')).toEqual({
      kind: 'and',
      operands: [
        { kind: 'compare', field: { kind: 'tag', key: 'Population' }, op: '=', value: 'population1', column: 1, valueColumn: 12 },
        { kind: 'compare', field: { kind: 'tag', key: 'number' }, op: '>', value: '2', column: 28, valueColumn: 35 },
      ],
    });
    expect(p('a=1 AND b=2 AND c=3')).toBe('(and a=1 b=2 c=3)');
  });

  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    expect(p('a=1 OR b=2 AND c=3')).toBe('(or a=1 (and b=2 c=3))');
    expect(p('a=1 AND b=2 OR c=3')).toBe('(or (and a=1 b=2) c=3)');
    expect(p('NOT a=1 AND b=2')).toBe('(and (not a=1) b=2)');
    expect(p('NOT NOT a=1')).toBe('(not (not a=1))');
  });

  it('lets parentheses override precedence', () => {
    expect(p('(a=1 OR b=2) AND c=3')).toBe('(and (or a=1 b=2) c=3)');
    expect(p('NOT (a=1 OR b=2)')).toBe('(not (or a=1 b=2))');
    expect(p('((a=1))')).toBe('a=1');
  });

  it('accepts keywords in any case and the symbolic forms', () => {
    expect(p('a=1 and b=2 Or not c=3')).toBe('(or (and a=1 b=2) (not c=3))');
    expect(p('!a=1 && b=2 || c=3')).toBe('(or (and (not a=1) b=2) c=3)');
  });

  it('parses every operator, normalizing == to =', () => {
    expect(['=', '==', '!=', '<', '<=', '>', '>=', '~', '!~'].map((op) => p(`k${op}v`))).toEqual([
      'k=v',
      'k=v',
      'k!=v',
      'k<v',
      'k<=v',
      'k>v',
      'k>=v',
      'k~v',
      'k!~v',
    ]);
  });

  it('parses in and not in lists with bare and quoted values', () => {
    expect(p('k in (a, "b c", 003)')).toBe('k in [a|b c|003]');
    expect(p('k NOT IN (x)')).toBe('k not in [x]');
    expect(p('NOT k in (x,y)')).toBe('(not k in [x|y])');
  });

  it('maps item fields, tag prefixes and quoted keys', () => {
    expect(p('name=a AND format=b AND date=c AND dataset=d')).toBe('(and @name=a @format=b @date=c @dataset=d)');
    expect(p('tag:name=a AND tags.format=b AND "cell line"=c AND "tag:date"=d')).toBe('(and name=a format=b cell line=c date=d)');
    expect(p('Name=x')).toBe('Name=x');
  });

  it('takes quoted keywords as text', () => {
    expect(p('"and"="OR"')).toBe('and=OR');
    expect(p("k in ('in', 'not')")).toBe('k in [in|not]');
  });
});
