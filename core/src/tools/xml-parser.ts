import { ToolError } from '../errors/area-errors.js';

/**
 * A small, strict XML parser for tool wrappers: elements, attributes, text, CDATA, comments,
 * processing instructions, a DOCTYPE without internal subset, the five predefined entities and
 * numeric character references. No namespaces processing, no external entities (so no XXE).
 */

/** An element with its 1-based start position. */
export interface XmlElement {
  readonly kind: 'element';
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  readonly line: number;
  readonly column: number;
}

/** Character data (entity-decoded) or a CDATA section, with the position where it starts. */
export interface XmlText {
  readonly kind: 'text';
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** A child of an element (comments and processing instructions are dropped). */
export type XmlNode = XmlElement | XmlText;

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[-A-Za-z0-9_:.]/;
/** Deepest element nesting accepted: a wrapper needs a handful; the bound keeps every tree walk off the stack limit. */
export const MAX_XML_DEPTH = 256;

/**
 * Parses `text` and returns its root element. `file` names the document in errors.
 *
 * @throws ToolError BAD_MANIFEST `FILE: line L, column C: why` (details `file`, `line`, `column`)
 * for any malformed markup: unclosed or mismatched tags, bad attributes, unknown entities,
 * unterminated comments or CDATA, several roots or text outside the root, elements nested
 * deeper than {@link MAX_XML_DEPTH}.
 */
export function parseXml(text: string, file: string): XmlElement {
  return new XmlReader(text.startsWith('\ufeff') ? text.slice(1) : text, file).document();
}

class XmlReader {
  private pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {
    for (let i = 0; i < src.length; i++) if (src[i] === '\n') this.lineStarts.push(i + 1);
  }

  document(): XmlElement {
    this.skipMisc(true);
    if (!this.src.startsWith('<', this.pos) || !NAME_START.test(this.src[this.pos + 1] ?? '')) {
      throw this.error(this.pos >= this.src.length ? 'the document has no root element' : 'expected the root element');
    }
    const root = this.element(1);
    this.skipMisc(false);
    if (this.pos < this.src.length) throw this.error('unexpected content after the root element');
    return root;
  }

  /** Skips whitespace, comments, processing instructions and (in the prolog) a DOCTYPE. */
  private skipMisc(prolog: boolean): void {
    for (;;) {
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      if (this.src.startsWith('<!--', this.pos)) this.skipPast('-->', 'comment');
      else if (this.src.startsWith('<?', this.pos)) this.skipPast('?>', 'processing instruction');
      else if (prolog && this.src.startsWith('<!DOCTYPE', this.pos)) {
        const end = this.src.indexOf('>', this.pos);
        const bracket = this.src.indexOf('[', this.pos);
        if (bracket !== -1 && (end === -1 || bracket < end)) throw this.error('DOCTYPE internal subsets are not supported');
        this.skipPast('>', 'DOCTYPE');
      } else return;
    }
  }

  private skipPast(terminator: string, what: string): void {
    const end = this.src.indexOf(terminator, this.pos);
    if (end === -1) throw this.error(`unterminated ${what}`);
    this.pos = end + terminator.length;
  }

  private element(depth: number): XmlElement {
    const start = this.pos;
    if (depth > MAX_XML_DEPTH) throw this.error(`elements are nested deeper than ${MAX_XML_DEPTH} levels`);
    this.pos++;
    const name = this.name('an element name');
    const attributes = this.attributes();
    const children: XmlNode[] = [];
    const { line, column } = this.position(start);
    if (this.src.startsWith('/>', this.pos)) {
      this.pos += 2;
      return { kind: 'element', name, attributes, children, line, column };
    }
    this.pos++;
    for (;;) {
      if (this.pos >= this.src.length) throw this.error(`<${name}> opened on line ${line} is never closed`, start);
      if (this.src.startsWith('</', this.pos)) {
        const closeAt = this.pos;
        this.pos += 2;
        const closing = this.name('a closing tag name');
        while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
        if (this.src[this.pos] !== '>') throw this.error(`expected '>' to end </${closing}>`);
        this.pos++;
        if (closing !== name) throw this.error(`</${closing}> does not match <${name}> opened on line ${line}`, closeAt);
        return { kind: 'element', name, attributes, children, line, column };
      }
      if (this.src.startsWith('<!--', this.pos)) this.skipPast('-->', 'comment');
      else if (this.src.startsWith('<![CDATA[', this.pos)) {
        const at = this.pos;
        const end = this.src.indexOf(']]>', at);
        if (end === -1) throw this.error('unterminated CDATA section');
        children.push({ kind: 'text', text: this.src.slice(at + 9, end), ...this.position(at + 9) });
        this.pos = end + 3;
      } else if (this.src.startsWith('<?', this.pos)) this.skipPast('?>', 'processing instruction');
      else if (this.src[this.pos] === '<') {
        if (!NAME_START.test(this.src[this.pos + 1] ?? '')) throw this.error("'<' must start a tag (write &lt; in text)");
        children.push(this.element(depth + 1));
      } else {
        const at = this.pos;
        const end = this.src.indexOf('<', at);
        this.pos = end === -1 ? this.src.length : end;
        children.push({ kind: 'text', text: this.decode(this.src.slice(at, this.pos), at), ...this.position(at) });
      }
    }
  }

  private attributes(): Record<string, string> {
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = this.pos;
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      const c = this.src[this.pos];
      if (c === '>' || this.src.startsWith('/>', this.pos)) return attributes;
      if (c === undefined) throw this.error('unexpected end of file inside a tag');
      if (this.pos === before) throw this.error('expected whitespace between attributes');
      const nameAt = this.pos;
      const name = this.name('an attribute name');
      if (Object.hasOwn(attributes, name)) throw this.error(`duplicate attribute '${name}'`, nameAt);
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      if (this.src[this.pos] !== '=') throw this.error(`attribute '${name}' needs a value`);
      this.pos++;
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      const quote = this.src[this.pos];
      if (quote !== '"' && quote !== "'") throw this.error(`the value of attribute '${name}' must be quoted`);
      const end = this.src.indexOf(quote, this.pos + 1);
      if (end === -1) throw this.error(`unterminated value of attribute '${name}'`);
      const raw = this.src.slice(this.pos + 1, end);
      const lt = raw.indexOf('<');
      if (lt !== -1) throw this.error(`'<' is not allowed in the value of attribute '${name}'`, this.pos + 1 + lt);
      Object.defineProperty(attributes, name, {
        value: this.decode(raw.replace(/[\t\n\r]/g, ' '), this.pos + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.pos = end + 1;
    }
  }

  private name(what: string): string {
    const start = this.pos;
    if (!NAME_START.test(this.src[this.pos] ?? '')) throw this.error(`expected ${what}`);
    while (NAME_CHAR.test(this.src[this.pos] ?? '')) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private decode(raw: string, offset: number): string {
    return raw.replace(/&([^;&\s]*);?/g, (match: string, ref: string, at: number) => {
      if (!match.endsWith(';')) throw this.error(`'&' must start an entity such as &amp;`, offset + at);
      const code = /^#x[0-9a-fA-F]+$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]+$/.test(ref) ? parseInt(ref.slice(1), 10) : undefined;
      if (code !== undefined) {
        if (code === 0 || code > 0x10ffff) throw this.error(`invalid character reference &${ref};`, offset + at);
        return String.fromCodePoint(code);
      }
      const entity = ENTITIES[ref];
      if (entity === undefined) throw this.error(`unknown entity &${ref};`, offset + at);
      return entity;
    });
  }

  private position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.lineStarts[lo] as number) + 1 };
  }

  private error(why: string, offset = this.pos): ToolError {
    const { line, column } = this.position(Math.min(offset, this.src.length));
    return new ToolError('BAD_MANIFEST', `${this.file}: line ${line}, column ${column}: ${why}`, {
      details: { file: this.file, line, column },
    });
  }
}

/** The direct child elements of `element`, optionally only those named `name`. */
export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return element.children.filter((c): c is XmlElement => c.kind === 'element' && (name === undefined || c.name === name));
}

/** The text directly inside `element` (text and CDATA children joined). */
export function elementText(element: XmlElement): string {
  return element.children.map((c) => (c.kind === 'text' ? c.text : '')).join('');
}

/** Every element below `element` (depth first, document order), itself excluded. */
export function descendantElements(element: XmlElement): XmlElement[] {
  return childElements(element).flatMap((child) => [child, ...descendantElements(child)]);
}
