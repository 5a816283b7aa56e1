import { describe, expect, it } from 'vitest';
import { validateJson, type JsonSchema } from './json-schema.js';

const update: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['itemId'],
  properties: {
    itemId: { type: 'string', minLength: 1 },
    set: { type: 'object', additionalProperties: { type: 'string', maxLength: 5 } },
    remove: { type: 'array', items: { type: 'string' }, maxItems: 2 },
  },
};

describe('validateJson', () => {
  it('accepts a conforming value', () => {
    expect(validateJson({ itemId: 'a', set: { k: 'v' }, remove: ['x'] }, update, 'body')).toEqual([]);
  });

  it('names every problem with its path', () => {
    const problems = validateJson({ itemId: 3, set: { k: 'toolong' }, remove: ['a', 'b', 'c'], extra: 1 }, update, 'body');
    expect(problems).toEqual([
      'body.itemId: expected string, got number',
      'body.set.k: must be at most 5 characters long',
      'body.remove: allows at most 2 elements',
      'body.extra: unknown property (allowed: itemId, set, remove)',
    ]);
  });

  it('reports required properties, types, ranges, enums and patterns', () => {
    expect(validateJson({}, update, 'body')).toEqual(['body.itemId: is required']);
    expect(validateJson([], update, 'body')).toEqual(['body: expected object, got array']);
    expect(validateJson(2.5, { type: 'integer' }, 'q')).toEqual(['q: expected integer, got number']);
    expect(validateJson(0, { type: 'integer', minimum: 1 }, 'q')).toEqual(['q: must be >= 1, got 0']);
    expect(validateJson('x', { enum: ['a', 'b'] }, 'q')).toEqual(['q: must be one of "a", "b", got "x"']);
    expect(validateJson('a b', { type: 'string', pattern: '^\\S+$' }, 'q')).toEqual(['q: "a b" does not match ^\\S+$']);
  });

  it('follows $ref through the resolver and reports unknown ones', () => {
    const resolve = (ref: string) => (ref === '#/components/schemas/Update' ? update : undefined);
    expect(validateJson([{ itemId: '' }], { type: 'array', items: { $ref: '#/components/schemas/Update' } }, 'body', resolve)).toEqual([
      'body[0].itemId: must be at least 1 character(s) long',
    ]);
    expect(validateJson(1, { $ref: '#/components/schemas/Nope' }, 'body', resolve)).toEqual(['body: unknown schema #/components/schemas/Nope']);
  });

  it('needs exactly one oneOf branch', () => {
    const schema: JsonSchema = { oneOf: [{ type: 'string' }, { type: 'number' }] };
    expect(validateJson('a', schema, 'v')).toEqual([]);
    expect(validateJson(true, schema, 'v')).toEqual(['v: matches 0 of the 2 allowed shapes (expected exactly one)']);
  });
});
