// Regular expressions for the query language's `~` and `!~`, matched in time linear in the text.
//
// JavaScript's RegExp backtracks: a pattern such as `(a+)+$` takes exponential time on a text of
// a few dozen `a`s followed by a `b`, so one query typed into the REST API could hold the server's
// event loop for minutes. This engine compiles the same syntax (JavaScript's, without flags) to a
// small program run as a Pike VM: every thread advances in lock step over the text, so a test
// costs at most (text length + 1) × (program size) steps whatever the pattern. What it cannot do
// in linear time (back-references, lookaround) is refused with a message naming it.

/** A pattern this engine cannot compile: `index` is the offset in the pattern. */
export class RegexSyntaxError extends SyntaxError {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
    this.name = 'RegexSyntaxError';
  }
}

/** Programs larger than this are refused (a `{m,n}` repetition copies its operand). */
export const MAX_PROGRAM_SIZE = 20_000;
/** Deepest group nesting accepted (as deep as the query language nests): parsing and compiling walk the tree, and the bound keeps them off the stack limit. */
export const MAX_GROUP_DEPTH = 200;
/** Largest count a `{m,n}` quantifier may give. */
export const MAX_REPEAT = 1000;

type Range = readonly [number, number];
interface CharSet {
  readonly ranges: readonly Range[];
  readonly negated: boolean;
}
type Assertion = 'start' | 'end' | 'word' | 'notWord';

type Node =
  | { readonly kind: 'empty' }
  | { readonly kind: 'set'; readonly set: CharSet }
  | { readonly kind: 'assert'; readonly assertion: Assertion }
  | { readonly kind: 'concat'; readonly items: readonly Node[] }
  | { readonly kind: 'alt'; readonly options: readonly Node[] }
  | { readonly kind: 'repeat'; readonly node: Node; readonly min: number; readonly max: number };

const DIGIT: readonly Range[] = [[0x30, 0x39]];
const WORD: readonly Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: readonly Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
/** `.` without the `s` flag: anything but a line terminator. */
const DOT: CharSet = {
  ranges: [
    [0x0a, 0x0a],
    [0x0d, 0x0d],
    [0x2028, 0x2029],
  ],
  negated: true,
};

const inRanges = (ranges: readonly Range[], c: number): boolean => ranges.some(([lo, hi]) => c >= lo && c <= hi);
const isWord = (c: number): boolean => inRanges(WORD, c);

/** Recursive-descent parser of JavaScript regex syntax (no flags, Annex B literals for stray braces). */
class Parser {
  private i = 0;
  /**
   * Group names per enclosing alternation (ES2025): `current` holds the names of the alternative
   * being parsed, `all` those of its alternatives so far. A name may repeat only in another
   * alternative of some enclosing alternation: `(?<y>a)|(?<y>b)` is valid, `(?<y>a)(?<y>b)` not.
   */
  private readonly scopes: Array<{ current: Set<string>; all: Set<string> }> = [];

  constructor(private readonly p: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.p.length) throw this.error(this.p[this.i] === ')' ? "unmatched ')'" : `unexpected '${this.p[this.i]}'`);
    return node;
  }

  private error(message: string, at = this.i): RegexSyntaxError {
    return new RegexSyntaxError(`${message} at position ${at}`, at);
  }

  private alternation(): Node {
    const scope = { current: new Set<string>(), all: new Set<string>() };
    this.scopes.push(scope);
    const options = [this.sequence()];
    while (this.p[this.i] === '|') {
      this.i++;
      for (const name of scope.current) scope.all.add(name);
      scope.current = new Set();
      options.push(this.sequence());
    }
    this.scopes.pop();
    const parent = this.scopes.at(-1);
    for (const name of [...scope.all, ...scope.current]) parent?.current.add(name);
    return options.length === 1 ? (options[0] as Node) : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') items.push(this.quantified());
    return items.length === 0 ? { kind: 'empty' } : items.length === 1 ? (items[0] as Node) : { kind: 'concat', items };
  }

  private quantified(): Node {
    const start = this.i;
    const atom = this.atom();
    const bounds = this.quantifier();
    if (bounds === undefined) return atom;
    // ^, $, \b and \B cannot take a quantifier; a group holding one can ((?:$){2}).
    if (atom.kind === 'assert' && this.p[start] !== '(') throw this.error('nothing to repeat', start);
    if (this.p[this.i] === '?') this.i++; // lazy: the same set of matches for a yes/no test
    if (this.quantifierAhead()) throw this.error('nothing to repeat');
    return { kind: 'repeat', node: atom, min: bounds[0], max: bounds[1] };
  }

  private quantifierAhead(): boolean {
    const c = this.p[this.i];
    if (c === '*' || c === '+' || c === '?') return true;
    return c === '{' && this.braces(false) !== undefined;
  }

  private quantifier(): [number, number] | undefined {
    const c = this.p[this.i];
    if (c === '*') return (this.i++, [0, Infinity]);
    if (c === '+') return (this.i++, [1, Infinity]);
    if (c === '?') return (this.i++, [0, 1]);
    if (c === '{') return this.braces(true);
    return undefined;
  }

  /** `{m}`, `{m,}`, `{m,n}` at the cursor (consumed when `consume`); undefined when the brace is a literal. */
  private braces(consume: boolean): [number, number] | undefined {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
    if (match === null) return undefined;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
    if (consume) {
      if (max < min) throw this.error('numbers out of order in {} quantifier');
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw this.error(`repetition count above ${MAX_REPEAT}`);
      this.i += match[0].length;
    }
    return [min, max];
  }

  private atom(): Node {
    const c = this.p[this.i] as string;
    const at = this.i;
    switch (c) {
      case '(':
        return this.group();
      case '^':
        return (this.i++, { kind: 'assert', assertion: 'start' });
      case '$':
        return (this.i++, { kind: 'assert', assertion: 'end' });
      case '.':
        return (this.i++, { kind: 'set', set: DOT });
      case '[':
        return { kind: 'set', set: this.charClass() };
      case '\\':
        return this.escapeAtom();
      case '*':
      case '+':
      case '?':
        throw this.error('nothing to repeat', at);
      case '{':
        if (this.braces(false) !== undefined) throw this.error('nothing to repeat', at);
        return (this.i++, literal(c.charCodeAt(0)));
      default:
        return (this.i++, literal(c.charCodeAt(0)));
    }
  }

  private group(): Node {
    const open = this.i;
    if (this.scopes.length > MAX_GROUP_DEPTH) throw this.error(`groups nested deeper than ${MAX_GROUP_DEPTH} levels`, open);
    this.i++;
    if (this.p[this.i] === '?') {
      const next = this.p.slice(this.i, this.i + 3);
      if (next.startsWith('?:')) this.i += 2;
      else if (next.startsWith('?=') || next.startsWith('?!') || next === '?<=' || next === '?<!') {
        throw this.error('lookahead and lookbehind are not supported (they need backtracking)', open);
      } else if (next.startsWith('?<')) {
        const name = /^\?<([A-Za-z_$][\w$]*)>/.exec(this.p.slice(this.i));
        if (name === null) throw this.error('invalid group name', open);
        if (this.scopes.some((scope) => scope.current.has(name[1] as string))) throw this.error(`duplicate group name '${name[1]}'`, open);
        this.scopes.at(-1)?.current.add(name[1] as string);
        this.i += name[0].length;
      } else throw this.error('invalid group', open);
    }
    const inner = this.alternation();
    if (this.p[this.i] !== ')') throw this.error("missing ')'", open);
    this.i++;
    return inner;
  }

  private escapeAtom(): Node {
    const at = this.i;
    const e = this.p[this.i + 1];
    if (e === undefined) throw this.error('\\ at end of pattern', at);
    if (e === 'b' || e === 'B') return ((this.i += 2), { kind: 'assert', assertion: e === 'b' ? 'word' : 'notWord' });
    if (/[1-9]/.test(e) || e === 'k') throw this.error('back-references are not supported (they need backtracking)', at);
    return { kind: 'set', set: this.escapeSet(false) };
  }

  /** The set of one escape at the cursor (`\d`, `\n`, `\x41`, `\.`...), inside a class when `inClass`. */
  private escapeSet(inClass: boolean): CharSet {
    const at = this.i;
    const e = this.p[this.i + 1] as string;
    this.i += 2;
    switch (e) {
      case 'd':
        return { ranges: DIGIT, negated: false };
      case 'D':
        return { ranges: DIGIT, negated: true };
      case 'w':
        return { ranges: WORD, negated: false };
      case 'W':
        return { ranges: WORD, negated: true };
      case 's':
        return { ranges: SPACE, negated: false };
      case 'S':
        return { ranges: SPACE, negated: true };
      case 't':
        return single(0x09);
      case 'n':
        return single(0x0a);
      case 'v':
        return single(0x0b);
      case 'f':
        return single(0x0c);
      case 'r':
        return single(0x0d);
      case 'b':
        return single(0x08); // only inside a class (backspace); outside it is the assertion
      case '0':
        if (/[0-9]/.test(this.p[this.i] ?? '')) throw this.error('octal escapes are not supported', at);
        return single(0);
      case 'x': {
        const hex = /^[0-9a-fA-F]{2}/.exec(this.p.slice(this.i));
        if (hex === null) return single('x'.charCodeAt(0));
        this.i += 2;
        return single(parseInt(hex[0], 16));
      }
      case 'u': {
        const hex = /^[0-9a-fA-F]{4}/.exec(this.p.slice(this.i));
        if (hex === null) return single('u'.charCodeAt(0));
        this.i += 4;
        return single(parseInt(hex[0], 16));
      }
      case 'c':
        throw this.error('control escapes (\\c) are not supported', at);
      default:
        if (inClass && /[1-9]/.test(e)) throw this.error('octal escapes are not supported', at);
        return single(e.charCodeAt(0)); // identity escape: \. \* \/ \-
    }
  }

  private charClass(): CharSet {
    const open = this.i;
    this.i++;
    let negated = false;
    if (this.p[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const ranges: Range[] = [];
    // Negated escapes inside a class ([\D], [^\W]) are kept as their complement ranges.
    const add = (set: CharSet): void => {
      ranges.push(...(set.negated ? complement(set.ranges) : set.ranges));
    };
    while (this.p[this.i] !== ']') {
      if (this.i >= this.p.length) throw this.error("missing ']'", open);
      const low = this.classAtom();
      if (this.p[this.i] === '-' && this.p[this.i + 1] !== ']' && this.i + 1 < this.p.length) {
        this.i++;
        const high = this.classAtom();
        const lo = singleCode(low),
          hi = singleCode(high);
        if (lo === undefined || hi === undefined) {
          // Annex B: a class escape next to '-' makes the '-' a literal.
          add(low);
          ranges.push([0x2d, 0x2d]);
          add(high);
          continue;
        }
        if (lo > hi) throw this.error('range out of order in character class');
        ranges.push([lo, hi]);
      } else add(low);
    }
    this.i++;
    return { ranges, negated };
  }

  private classAtom(): CharSet {
    if (this.p[this.i] === '\\') {
      if (this.p[this.i + 1] === undefined) throw this.error('\\ at end of pattern');
      return this.escapeSet(true);
    }
    const c = this.p.charCodeAt(this.i);
    this.i++;
    return single(c);
  }
}

function single(code: number): CharSet {
  return { ranges: [[code, code]], negated: false };
}

function singleCode(set: CharSet): number | undefined {
  const [range] = set.ranges;
  return !set.negated && set.ranges.length === 1 && range !== undefined && range[0] === range[1] ? range[0] : undefined;
}

function literal(code: number): Node {
  return { kind: 'set', set: single(code) };
}

/** The UTF-16 code units not in `ranges`. */
function complement(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
}

type Instruction =
  { op: 'char'; set: CharSet } | { op: 'split'; x: number; y: number } | { op: 'jmp'; to: number } | { op: 'assert'; assertion: Assertion } | { op: 'match' };

/** Compiles an AST to Pike VM instructions (Thompson's construction). */
class Compiler {
  readonly program: Instruction[] = [];

  private emit(instruction: Instruction): number {
    if (this.program.length >= MAX_PROGRAM_SIZE) {
      throw new RegexSyntaxError(`pattern too large once its repetitions are expanded (over ${MAX_PROGRAM_SIZE} steps)`, 0);
    }
    this.program.push(instruction);
    return this.program.length - 1;
  }

  compile(node: Node): void {
    switch (node.kind) {
      case 'empty':
        return;
      case 'set':
        this.emit({ op: 'char', set: node.set });
        return;
      case 'assert':
        this.emit({ op: 'assert', assertion: node.assertion });
        return;
      case 'concat':
        for (const item of node.items) this.compile(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.options.forEach((option, k) => {
          if (k < node.options.length - 1) {
            const split = this.emit({ op: 'split', x: 0, y: 0 });
            (this.program[split] as { x: number }).x = this.program.length;
            this.compile(option);
            jumps.push(this.emit({ op: 'jmp', to: 0 }));
            (this.program[split] as { y: number }).y = this.program.length;
          } else this.compile(option);
        });
        for (const j of jumps) (this.program[j] as { to: number }).to = this.program.length;
        return;
      }
      case 'repeat': {
        for (let k = 0; k < node.min; k++) this.compile(node.node);
        if (node.max === Infinity) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          (this.program[split] as { x: number }).x = this.program.length;
          this.compile(node.node);
          this.emit({ op: 'jmp', to: split });
          (this.program[split] as { y: number }).y = this.program.length;
          return;
        }
        const splits: number[] = [];
        for (let k = node.min; k < node.max; k++) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          (this.program[split] as { x: number }).x = this.program.length;
          splits.push(split);
          this.compile(node.node);
        }
        for (const s of splits) (this.program[s] as { y: number }).y = this.program.length;
        return;
      }
    }
  }
}

/**
 * A regular expression with JavaScript's syntax and `RegExp.prototype.test` semantics (no flags),
 * matched in linear time. Compile with {@link LinearRegex.compile}.
 */
export class LinearRegex {
  private constructor(private readonly program: readonly Instruction[]) {}

  /** Throws RegexSyntaxError for invalid or unsupported syntax (back-references, lookaround, a program too large). */
  static compile(pattern: string): LinearRegex {
    const ast = new Parser(pattern).parse();
    const compiler = new Compiler();
    compiler.compile(ast);
    compiler.program.push({ op: 'match' });
    return new LinearRegex(compiler.program);
  }

  /** True when the pattern matches somewhere in `text` (as `new RegExp(pattern).test(text)`). */
  test(text: string): boolean {
    const size = this.program.length;
    let current = new Int32Array(size);
    let next = new Int32Array(size);
    let currentCount = 0;
    let nextCount: number;
    // Generation marks: a program counter is added at most once per position.
    const seen = new Int32Array(size).fill(-1);
    const stack = new Int32Array(size * 2 + 2);
    const n = text.length;
    let matched = false;
    /** Adds pc and what it reaches without reading (splits, jumps, assertions) at position i. */
    const add = (list: Int32Array, count: number, start: number, i: number): number => {
      let top = 0;
      stack[top++] = start;
      while (top > 0) {
        const pc = stack[--top] as number;
        if (seen[pc] === i) continue;
        seen[pc] = i;
        const ins = this.program[pc] as Instruction;
        switch (ins.op) {
          case 'jmp':
            stack[top++] = ins.to;
            break;
          case 'split':
            stack[top++] = ins.y;
            stack[top++] = ins.x;
            break;
          case 'assert':
            if (holds(ins.assertion, text, i)) stack[top++] = pc + 1;
            break;
          case 'match':
            matched = true;
            break;
          default:
            list[count++] = pc;
        }
      }
      return count;
    };
    for (let i = 0; i <= n; i++) {
      currentCount = add(current, currentCount, 0, i); // a match may start at every position
      if (matched) return true;
      if (i === n) break;
      const c = text.charCodeAt(i);
      nextCount = 0;
      for (let k = 0; k < currentCount; k++) {
        const pc = current[k] as number;
        const ins = this.program[pc] as Instruction & { op: 'char' };
        if (inRanges(ins.set.ranges, c) !== ins.set.negated) nextCount = add(next, nextCount, pc + 1, i + 1);
      }
      if (matched) return true;
      [current, next] = [next, current];
      currentCount = nextCount;
    }
    return matched;
  }
}

function holds(assertion: Assertion, text: string, i: number): boolean {
  switch (assertion) {
    case 'start':
      return i === 0;
    case 'end':
      return i === text.length;
    default: {
      const before = i > 0 && isWord(text.charCodeAt(i - 1));
      const after = i < text.length && isWord(text.charCodeAt(i));
      return (before !== after) === (assertion === 'word');
    }
  }
}
