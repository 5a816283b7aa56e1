import { describe, expect, it } from 'vitest';
import { ToolError } from '../errors/area-errors.js';
import { childElements, descendantElements, elementText, MAX_XML_DEPTH, parseXml } from './xml-parser.js';

function errorOf(text: string): ToolError {
  try {
    parseXml(text, '/t/w.xml');
  } catch (error) {
    expect(error).toBeInstanceOf(ToolError);
    return error as ToolError;
  }
  throw new Error('expected a ToolError');
}

describe('parseXml', () => {
  it('reads elements, attributes, text, CDATA and entities, skipping comments, PIs and DOCTYPE', () => {
    const root = parseXml(
      `\ufeff<?xml version="1.0"?>\n<!DOCTYPE tool>\n<!-- c -->\n<tool id='a&amp;b' q="&quot;&apos;&lt;&gt;&#65;&#x42;">\n  <x/>text &lt;1&gt;<!-- skip --><![CDATA[ if a < b && c ]]><?pi x?>\n  <y k="line\nbreak">&#x1F600;</y>\n</tool>\n<!-- after -->\n`,
      '/t/w.xml',
    );
    expect(root).toMatchObject({ name: 'tool', line: 4, column: 1, attributes: { id: 'a&b', q: `"'<>AB` } });
    expect(childElements(root).map((e) => [e.name, e.line])).toEqual([
      ['x', 5],
      ['y', 6],
    ]);
    expect(elementText(root)).toBe('\n  text <1> if a < b && c \n  \n');
    const y = childElements(root, 'y')[0];
    expect(y?.attributes).toEqual({ k: 'line break' });
    expect(y === undefined ? '' : elementText(y)).toBe('😀');
  });

  it.each([
    ['<a>\n<b>\n</a>', 'line 3, column 1: </a> does not match <b> opened on line 2'],
    ['<a>\n  <b>', 'line 2, column 3: <b> opened on line 2 is never closed'],
    ['<a x="1" x="2"/>', "line 1, column 10: duplicate attribute 'x'"],
    ['<a x=1/>', "line 1, column 6: the value of attribute 'x' must be quoted"],
    ['<a x="1"y="2"/>', 'line 1, column 9: expected whitespace between attributes'],
    ['<a>\n&nbsp;</a>', 'line 2, column 1: unknown entity &nbsp;'],
    ['<a>\nAT&T</a>', "line 2, column 3: '&' must start an entity such as &amp;"],
    ['<a>\n<![CDATA[ x </a>', 'line 2, column 1: unterminated CDATA section'],
    ['<a>\n<!-- x </a>', 'line 2, column 1: unterminated comment'],
    ['<a>1 < 2</a>', "line 1, column 6: '<' must start a tag (write &lt; in text)"],
    ['<a/>\n<b/>', 'line 2, column 1: unexpected content after the root element'],
    ['', 'line 1, column 1: the document has no root element'],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a/>', 'line 1, column 1: DOCTYPE internal subsets are not supported'],
    ['<a x="<"/>', "line 1, column 7: '<' is not allowed in the value of attribute 'x'"],
  ])('reports %j with file, line and column', (text, message) => {
    const error = errorOf(text);
    expect(error.code).toBe('BAD_MANIFEST');
    expect(error.message).toBe(`/t/w.xml: ${message}`);
    expect(error.details['line']).toBe(Number(/line (\d+)/.exec(message)?.[1]));
  });

  it('refuses elements nested deeper than MAX_XML_DEPTH with the file and line, instead of overflowing the stack', () => {
    const deep = `${'<a>\n'.repeat(100_000)}${'</a>'.repeat(100_000)}`;
    const error = errorOf(deep);
    expect(error.code).toBe('BAD_MANIFEST');
    expect(error.message).toBe(`/t/w.xml: line ${MAX_XML_DEPTH + 1}, column 1: elements are nested deeper than ${MAX_XML_DEPTH} levels`);
    const deepest = `${'<a>'.repeat(MAX_XML_DEPTH)}${'</a>'.repeat(MAX_XML_DEPTH)}`;
    expect(descendantElements(parseXml(deepest, '/t/w.xml'))).toHaveLength(MAX_XML_DEPTH - 1);
  });
});
