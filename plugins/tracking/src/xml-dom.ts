import { FormatError } from '@bioimageit/core';

/** One element of a parsed XML document. */
export interface XmlElement {
  readonly name: string;
  /** Attribute values with entities decoded, in document order. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Character data directly inside this element (not in its children), entities decoded. */
  readonly text: string;
  /** 1-based line of the start tag. */
  readonly line: number;
}

interface MutableElement {
  name: string;
  attributes: Map<string, string>;
  children: MutableElement[];
  text: string;
  line: number;
}

const NAME = /[:A-Z_a-z\u00C0-\uFFFF][-.:\w\u00B7\u00C0-\uFFFF]*/y;
const SPACE = /[ \t\r\n]*/y;
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Parses an XML 1.0 document into its root element: a small, strict, dependency-free reader for
 * data files such as TrackMate XML. Handles a leading BOM, the XML declaration and other processing
 * instructions, comments, CDATA sections, a DOCTYPE without an internal subset (skipped),
 * attributes in single or double quotes, self-closing tags, and the entities `&amp; &lt; &gt;
 * &quot; &apos;` and numeric ones. Attribute values are normalised as XML says (tab, CR and LF
 * become spaces; encoded ones stay). No namespaces processing, no DTD, no external entities.
 *
 * Throws FormatError `CORRUPT` whose message names `source`, the 1-based line and, where one is
 * open, the element; `details` holds `line` and `element`: for unterminated or mismatched tags,
 * duplicate attributes, unknown entities, `<` in an attribute value, text or a second element
 * outside the root, and an empty document.
 */
export function parseXml(text: string, source = 'XML'): XmlElement {
  return new XmlParser(text, source).parse();
}

/** The children of `element` named `name`, in document order. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** The first child of `element` named `name`, if any. */
export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

class XmlParser {
  private pos: number;
  private readonly lineStarts: number[] = [0];
  private readonly stack: MutableElement[] = [];
  private root: MutableElement | undefined;

  constructor(
    private readonly src: string,
    private readonly source: string,
  ) {
    this.pos = src.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  parse(): XmlElement {
    const src = this.src;
    while (this.pos < src.length) {
      const lt = src.indexOf('<', this.pos);
      const end = lt < 0 ? src.length : lt;
      if (end > this.pos) this.characters(src.slice(this.pos, end), this.pos);
      if (lt < 0) break;
      this.pos = lt;
      if (src.startsWith('<!--', lt)) this.pos = this.skipPast('-->', 'comment');
      else if (src.startsWith('<![CDATA[', lt)) this.cdata();
      else if (src.startsWith('<?', lt)) this.pos = this.skipPast('?>', 'processing instruction');
      else if (src.startsWith('<!DOCTYPE', lt)) this.doctype();
      else if (src.startsWith('</', lt)) this.endTag();
      else this.startTag();
    }
    const open = this.stack.at(-1);
    if (open) this.fail(`element <${open.name}> opened on line ${open.line} is never closed`, src.length);
    if (!this.root) this.fail('no root element', src.length);
    return this.root;
  }

  private startTag(): void {
    const at = this.pos;
    this.pos++;
    const name = this.name('element name');
    if (this.stack.length === 0 && this.root) this.fail(`second root element <${name}>`, at);
    const element: MutableElement = { name, attributes: new Map(), children: [], text: '', line: this.lineOf(at) };
    for (;;) {
      const hadSpace = this.space();
      const c = this.src[this.pos];
      if (c === '>' || c === '/') break;
      if (c === undefined) this.fail(`unterminated start tag <${name}>`, at);
      if (!hadSpace) this.fail(`expected a space, '>' or '/>' in <${name}>`, this.pos);
      const attr = this.name(`attribute name in <${name}>`);
      if (element.attributes.has(attr)) this.fail(`duplicate attribute ${attr} in <${name}>`, this.pos);
      this.space();
      if (this.src[this.pos] !== '=') this.fail(`expected '=' after attribute ${attr} in <${name}>`, this.pos);
      this.pos++;
      this.space();
      element.attributes.set(attr, this.attributeValue(name, attr));
    }
    const selfClosing = this.src[this.pos] === '/';
    if (selfClosing && this.src[this.pos + 1] !== '>') this.fail(`expected '/>' in <${name}>`, this.pos);
    this.pos += selfClosing ? 2 : 1;
    const parent = this.stack.at(-1);
    if (parent) parent.children.push(element);
    else this.root = element;
    if (!selfClosing) this.stack.push(element);
  }

  private endTag(): void {
    const at = this.pos;
    this.pos += 2;
    const name = this.name('element name in end tag');
    this.space();
    if (this.src[this.pos] !== '>') this.fail(`unterminated end tag </${name}>`, at);
    this.pos++;
    const open = this.stack.pop();
    if (!open) this.fail(`end tag </${name}> without a start tag`, at);
    if (open.name !== name) this.fail(`end tag </${name}> does not match <${open.name}> opened on line ${open.line}`, at);
  }

  private attributeValue(element: string, attr: string): string {
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'") this.fail(`value of attribute ${attr} in <${element}> must be quoted`, this.pos);
    const start = this.pos + 1;
    const end = this.src.indexOf(quote, start);
    if (end < 0) this.fail(`unterminated value of attribute ${attr} in <${element}>`, this.pos);
    const raw = this.src.slice(start, end);
    const lt = raw.indexOf('<');
    if (lt >= 0) this.fail(`'<' in the value of attribute ${attr} in <${element}>`, start + lt);
    this.pos = end + 1;
    return this.decode(raw.replace(/\r\n|[\t\r\n]/g, ' '), start);
  }

  private characters(raw: string, at: number): void {
    const open = this.stack.at(-1);
    if (!open) {
      if (raw.trim() !== '') this.fail(`text outside the root element: ${JSON.stringify(raw.trim().slice(0, 20))}`, at);
      return;
    }
    open.text += this.decode(raw.replace(/\r\n?/g, '\n'), at);
  }

  private cdata(): void {
    const start = this.pos + 9;
    const end = this.skipPast(']]>', 'CDATA section');
    const open = this.stack.at(-1);
    if (!open) this.fail('CDATA section outside the root element', start);
    open.text += this.src.slice(start, end - 3);
    this.pos = end;
  }

  private doctype(): void {
    const end = this.src.indexOf('>', this.pos);
    const bracket = this.src.indexOf('[', this.pos);
    if (bracket >= 0 && (end < 0 || bracket < end)) this.fail('DOCTYPE with an internal subset is not supported', this.pos);
    if (end < 0) this.fail('unterminated DOCTYPE', this.pos);
    this.pos = end + 1;
  }

  private decode(raw: string, at: number): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s]*);?/g, (whole, ref: string, offset: number) => {
      const where = at + offset;
      if (!whole.endsWith(';')) this.fail(`'&' not starting an entity reference: ${JSON.stringify(whole)}`, where);
      const named = PREDEFINED[ref];
      if (named !== undefined) return named;
      const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
      if (!m) this.fail(`unknown entity &${ref};`, where);
      const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
      const allowed =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0x10ffff && code !== 0xfffe && code !== 0xffff);
      if (!allowed) this.fail(`character reference &${ref}; names no XML character`, where);
      return String.fromCodePoint(code);
    });
  }

  private name(what: string): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.src);
    if (!m) this.fail(`expected ${what}`, this.pos);
    this.pos = NAME.lastIndex;
    return m[0];
  }

  private space(): boolean {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.src);
    const moved = SPACE.lastIndex > this.pos;
    this.pos = SPACE.lastIndex;
    return moved;
  }

  private skipPast(terminator: string, what: string): number {
    const end = this.src.indexOf(terminator, this.pos + 2);
    if (end < 0) this.fail(`unterminated ${what}`, this.pos);
    return end + terminator.length;
  }

  private lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private fail(message: string, offset: number): never {
    const line = this.lineOf(offset);
    const element = this.stack.at(-1)?.name;
    const inside = element ? ` (inside <${element}>)` : '';
    throw new FormatError('CORRUPT', `${this.source}: line ${line}: ${message}${inside}`, {
      details: { line, ...(element ? { element } : {}) },
    });
  }
}
