import { ToolError } from '@bioimageit/core';

/** An element to write: attributes in the order given, then text, then children. */
export interface XmlNode {
  readonly name: string;
  readonly attributes?: readonly (readonly [string, string])[];
  readonly text?: string;
  readonly children?: readonly XmlNode[];
}

const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Serialises `root` as a UTF-8 XML 1.0 document: the declaration, then elements indented by two
 * spaces, one per line; elements with neither text nor children are self-closing. Text and
 * attribute values are escaped ({@link escapeXmlAttribute}, {@link escapeXmlText}), so any string
 * survives a conforming parser unchanged. Throws ToolError `BAD_PARAMETER` for a character XML 1.0
 * cannot hold (controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
 */
export function formatXmlDocument(root: XmlNode): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  writeNode(root, '', out);
  return out.join('');
}

function writeNode(node: XmlNode, indent: string, out: string[]): void {
  let tag = `${indent}<${node.name}`;
  for (const [name, value] of node.attributes ?? []) tag += ` ${name}="${escapeXmlAttribute(value)}"`;
  const children = node.children ?? [];
  const text = node.text ?? '';
  if (children.length === 0 && text === '') {
    out.push(`${tag} />\n`);
    return;
  }
  if (children.length === 0) {
    out.push(`${tag}>${escapeXmlText(text)}</${node.name}>\n`);
    return;
  }
  out.push(`${tag}>${escapeXmlText(text)}\n`);
  for (const child of children) writeNode(child, `${indent}  `, out);
  out.push(`${indent}</${node.name}>\n`);
}

/**
 * Escapes a string for a double-quoted attribute value: `& < > "` as named entities, and tab, LF
 * and CR as character references so that attribute-value normalisation keeps them.
 */
export function escapeXmlAttribute(value: string): string {
  checkXmlChars(value);
  return value.replace(/[&<>"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);
}

/** Escapes character data: `& < >`, and CR as `&#13;` so that end-of-line handling keeps it. */
export function escapeXmlText(value: string): string {
  checkXmlChars(value);
  return value.replace(/[&<>\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);
}

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function checkXmlChars(value: string): void {
  const bad = INVALID_CHAR.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new ToolError('BAD_PARAMETER', `U+${code} cannot be written in XML 1.0 (in ${JSON.stringify(value.slice(0, 40))})`);
  }
}

/**
 * A number as Java's `Double.parseDouble` reads it back exactly, independent of locale: the
 * shortest round-trip decimal, with `.0` on integral values as Java's `Double.toString` writes them
 * (`3.0`, `-0.0`); small and huge values in exponent form (`1e-7`, `1e+21`), which Java accepts;
 * `NaN`, `Infinity` and `-Infinity` as Java spells them.
 */
export function formatJavaDouble(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return `${String(value)}.0`;
  return String(value);
}

/**
 * An integer as Java's `Integer.parseInt` reads it (JDOM's `getIntValue`, TrackMate's
 * `readIntAttribute`). Throws ToolError `BAD_PARAMETER` naming `what` when `value` is not an
 * integer within Java's `int` range.
 */
export function formatJavaInt(value: number, what: string): string {
  if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
    throw new ToolError('BAD_PARAMETER', `${what} must be an integer within Java's int range, got ${value}`);
  }
  return String(value);
}
