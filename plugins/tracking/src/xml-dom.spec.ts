import { FormatError } from '@bioimageit/core';
import { describe, expect, it } from 'vitest';
import { childElement, childElements, parseXml } from './xml-dom.js';
import { escapeXmlAttribute, escapeXmlText, formatJavaDouble, formatJavaInt, formatXmlDocument } from './xml-write.js';

function errorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

describe('parseXml', () => {
  it('reads declaration, comments, attributes, nesting, self-closing tags, CDATA and entities', () => {
    const root = parseXml(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- head -->\n<!DOCTYPE a>\n<a x="1" y=\'two &amp; &lt;3&gt;\'>\n  <b k="&#65;&#x42;&quot;&apos;"/>\n  <b k="tab\there" >t&#233;xt<![CDATA[<raw & kept>]]></b>\n  <c><!-- inside --></c>\n</a>\n<!-- tail -->\n',
    );
    expect(root.name).toBe('a');
    expect([...root.attributes]).toEqual([
      ['x', '1'],
      ['y', 'two & <3>'],
    ]);
    const bs = childElements(root, 'b');
    expect(bs.map((b) => b.attributes.get('k'))).toEqual(['AB"\'', 'tab here']);
    expect(bs[1]!.text).toBe('téxt<raw & kept>');
    expect(bs.map((b) => b.line)).toEqual([5, 6]);
    expect(childElement(root, 'c')?.children).toEqual([]);
    expect(childElement(root, 'missing')).toBeUndefined();
  });

  it.each([
    ['<a><b></a>', 1, /end tag <\/a> does not match <b>/],
    ['<a>\n<b x="1" x="2"/></a>', 2, /duplicate attribute x/],
    ['<a>\n\n&nbsp;</a>', 3, /unknown entity &nbsp;/],
    ['<a>AT&T</a>', 1, /'&' not starting an entity reference/],
    ['<a x="<"/>', 1, /'<' in the value of attribute x/],
    ['<a x=1/>', 1, /must be quoted/],
    ['<a>\n<b>', 2, /element <b> opened on line 2 is never closed/],
    ['<a/><b/>', 1, /second root element <b>/],
    ['text<a/>', 1, /text outside the root element/],
    ['<!-- only -->', 1, /no root element/],
    ['<a><!-- open </a>', 1, /unterminated comment/],
    ['<a>&#0;</a>', 1, /names no XML character/],
    ['<!DOCTYPE a [<!ENTITY e "x">]><a/>', 1, /internal subset/],
    ['<a b="1"c="2"/>', 1, /expected a space/],
  ])('rejects %j at line %i', (text, line, message) => {
    const e = errorOf(() => parseXml(text, 'test.xml'));
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toMatch(message);
    expect(e.message).toContain(`test.xml: line ${line}`);
    expect(e.details['line']).toBe(line);
  });
});

describe('XML writing', () => {
  it('escapes text and attributes so that the parser returns them unchanged', () => {
    const nasty = 'a & b < c > d " e \' f\tg\nh\r\ni ünï 🎉';
    const doc = formatXmlDocument({ name: 'r', attributes: [['v', nasty]], children: [{ name: 't', text: nasty }, { name: 'e' }] });
    expect(doc.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<r v="')).toBe(true);
    const root = parseXml(doc);
    expect(root.attributes.get('v')).toBe(nasty);
    expect(childElement(root, 't')?.text).toBe(nasty);
    expect(escapeXmlAttribute('<&>"')).toBe('&lt;&amp;&gt;&quot;');
    expect(escapeXmlText('<&>"')).toBe('&lt;&amp;&gt;"');
  });

  it('refuses characters XML 1.0 cannot hold', () => {
    expect(() => escapeXmlText('bell\u0007')).toThrow(/U\+0007 cannot be written in XML 1.0/);
    expect(() => escapeXmlAttribute('\uD800')).toThrow(/U\+D800/);
  });

  it('formats numbers in forms Java parses back exactly', () => {
    expect([3, -0, 0.1, -2.5e-7, 1.5e300, 1e21, NaN, Infinity, -Infinity].map(formatJavaDouble)).toEqual([
      '3.0',
      '-0.0',
      '0.1',
      '-2.5e-7',
      '1.5e+300',
      '1e+21',
      'NaN',
      'Infinity',
      '-Infinity',
    ]);
    for (const v of [0.1 + 0.2, Math.PI, 1 / 3, 123456789.123]) expect(Number(formatJavaDouble(v))).toBe(v);
    expect(formatJavaInt(-12, 'n')).toBe('-12');
    expect(() => formatJavaInt(2 ** 31, 'spot id')).toThrow(/spot id must be an integer within Java's int range/);
    expect(() => formatJavaInt(1.5, 'frame')).toThrow(/frame/);
  });
});
