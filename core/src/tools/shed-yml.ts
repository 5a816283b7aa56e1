import { ToolError } from '../errors/area-errors.js';

/** The top-level entries of a `.shed.yml`: scalars are strings, sequences string arrays. */
export type ShedYml = Readonly<Record<string, string | readonly string[]>>;

interface Line {
  readonly number: number;
  readonly indent: number;
  /** Content without indentation and trailing comment. */
  readonly text: string;
  /** Content without indentation, comment kept (for block scalars). */
  readonly raw: string;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*:(?:\s+|$)(.*)$/;

/**
 * Parses the YAML subset of Galaxy/BioImageIT `.shed.yml` files: a top-level mapping whose values
 * are plain or quoted scalars (plain ones may continue on more indented lines), block scalars
 * (`|`, `>`, with `-`/`+` chomping), block sequences (`- item`) and flow sequences (`[a, b]`),
 * with `#` comments and an optional `---` marker. `file` names the document in errors.
 *
 * @throws ToolError BAD_MANIFEST `FILE: line N: why` for anything outside that subset (nested
 * mappings, anchors, tabs in indentation, duplicate keys, unterminated quotes).
 */
export function parseShedYml(text: string, file: string): ShedYml {
  const fail = (line: number, why: string): ToolError => new ToolError('BAD_MANIFEST', `${file}: line ${line}: ${why}`, { details: { file, line } });
  const lines = splitLines(text, fail);
  const entries: [string, string | string[]][] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as Line;
    i++;
    if (line.text === '' || (line.indent === 0 && line.text === '---')) continue;
    if (line.indent > 0) throw fail(line.number, 'unexpected indentation (only a top-level mapping is supported)');
    const match = KEY.exec(line.text);
    if (match === null) throw fail(line.number, `expected 'key: value'`);
    const key = match[1] as string;
    const rest = (match[2] ?? '').trim();
    if (entries.some(([k]) => k === key)) throw fail(line.number, `duplicate key '${key}'`);
    const body: Line[] = [];
    while (i < lines.length && ((lines[i] as Line).indent > 0 || (lines[i] as Line).text === '')) body.push(lines[i++] as Line);
    while (body.length > 0 && (body[body.length - 1] as Line).text === '') body.pop();
    entries.push([key, value(rest, body, line.number, fail)]);
  }
  return Object.fromEntries(entries);
}

function value(rest: string, body: readonly Line[], lineNo: number, fail: (line: number, why: string) => ToolError): string | string[] {
  if (/^[|>][-+]?$/.test(rest)) return blockScalar(rest, body);
  if (rest === '') {
    if (body.length === 0) return '';
    return body
      .filter((l) => l.text !== '')
      .map((l) => {
        if (!/^-(\s|$)/.test(l.text)) throw fail(l.number, 'nested mappings are not supported; expected a "- item" list');
        return scalar(l.text.slice(1).trim(), l.number, fail);
      });
  }
  if (rest.startsWith('[')) {
    if (!rest.endsWith(']') || body.length > 0) throw fail(lineNo, 'a flow sequence must be written on one line: [a, b]');
    const inner = rest.slice(1, -1).trim();
    return inner === '' ? [] : splitFlow(inner).map((item) => scalar(item.trim(), lineNo, fail));
  }
  if (/^[&*!{]/.test(rest)) throw fail(lineNo, 'anchors, aliases, tags and flow mappings are not supported');
  if (body.length > 0) {
    if (/^["']/.test(rest)) throw fail(lineNo, 'a quoted scalar must end on its line');
    return [rest, ...body.map((l) => l.text)].filter((t) => t !== '').join(' ');
  }
  return scalar(rest, lineNo, fail);
}

function blockScalar(header: string, body: readonly Line[]): string {
  const indent = Math.min(...body.filter((l) => l.text !== '').map((l) => l.indent));
  const texts = body.map((l) => (l.text === '' ? '' : ' '.repeat(l.indent - indent) + l.raw));
  let out = '';
  if (header.startsWith('|')) out = texts.join('\n');
  else texts.forEach((t, k) => (out += t === '' ? '\n' : k > 0 && texts[k - 1] !== '' ? ` ${t}` : t));
  if (out === '' || header.endsWith('-')) return out;
  return `${out}\n`;
}

function scalar(text: string, lineNo: number, fail: (line: number, why: string) => ToolError): string {
  const quote = text[0];
  if (quote !== '"' && quote !== "'") return text;
  let out = '';
  let k = 1;
  for (; k < text.length; k++) {
    const c = text[k] as string;
    if (quote === '"' && c === '\\') {
      const next = text[++k] ?? '';
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
    } else if (quote === "'" && c === "'" && text[k + 1] === "'") {
      out += "'";
      k++;
    } else if (c === quote) break;
    else out += c;
  }
  if (k >= text.length) throw fail(lineNo, `unterminated ${quote === '"' ? 'double' : 'single'}-quoted string`);
  if (k !== text.length - 1) throw fail(lineNo, 'unexpected text after a quoted string');
  return out;
}

function splitFlow(inner: string): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const c of inner) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ',') {
      items.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  items.push(current);
  return items;
}

function splitLines(text: string, fail: (line: number, why: string) => ToolError): Line[] {
  return text
    .replace(/^\ufeff/, '')
    .split(/\r\n|\r|\n/)
    .map((source, k) => {
      const indentText = /^[ \t]*/.exec(source)?.[0] ?? '';
      if (indentText.includes('\t') && source.trim() !== '') throw fail(k + 1, 'tabs are not allowed in indentation');
      const raw = source.slice(indentText.length);
      return { number: k + 1, indent: indentText.length, text: stripComment(raw).trimEnd(), raw: raw.trimEnd() };
    });
}

function stripComment(text: string): string {
  let quote: string | undefined;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      if (k === 0 || /[\s:[,-]/.test(text[k - 1] ?? '')) quote = c;
    } else if (c === '#' && (k === 0 || /\s/.test(text[k - 1] ?? ''))) return text.slice(0, k);
  }
  return text;
}
