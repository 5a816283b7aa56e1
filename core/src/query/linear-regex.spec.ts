import { describe, expect, it } from 'vitest';
import { LinearRegex, MAX_GROUP_DEPTH, MAX_PROGRAM_SIZE, RegexSyntaxError } from './linear-regex.js';

/** Seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A random pattern over a small alphabet using every construct the engine supports. */
function pattern(rand: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const atom = (): string => {
    const r = rand();
    if (r < 0.35) return pick(['a', 'b', 'c', '-', ' ', '1']);
    if (r < 0.45) return pick(['.', '\\d', '\\w', '\\s', '\\D', '\\W', '\\.', '\\-']);
    if (r < 0.6) return pick(['[ab]', '[^a]', '[a-c]', '[\\d-]', '[^\\w]', '[b-]', '[]', '[^]', '[\\s1]']);
    if (r < 0.7) return pick(['^', '$', '\\b', '\\B']);
    if (depth < 3) return pick(['(', '(?:', '(?<g>']) + pattern(rand, depth + 1) + ')';
    return 'a';
  };
  const quantify = (a: string): string => {
    if (/^(\^|\$|\\b|\\B)$/.test(a)) return a;
    const r = rand();
    if (r < 0.55) return a;
    const q = pick(['*', '+', '?', '{2}', '{0,2}', '{1,}', '{2,3}']);
    return a + q + (rand() < 0.2 ? '?' : '');
  };
  const sequence = (): string => Array.from({ length: 1 + Math.floor(rand() * 4) }, () => quantify(atom())).join('');
  const options = 1 + (rand() < 0.3 ? Math.floor(rand() * 3) : 0);
  return Array.from({ length: options }, sequence).join('|');
}

/** Whether this V8 allows a group name again in another alternative (ES2025, Node >= 23). */
const duplicateNamesInAlternatives = ((): boolean => {
  try {
    new RegExp('(?<y>a)|(?<y>b)');
    return true;
  } catch {
    return false;
  }
})();

/** Whether this V8 wrongly accepts a group name repeated inside the group itself (Node 24). */
const acceptsNestedDuplicateName = ((): boolean => {
  try {
    // eslint-disable-next-line no-invalid-regexp -- the probe: invalid by the standard, accepted by Node 24's V8
    new RegExp('(?<g>a(?<g>b)*|c)');
    return true;
  } catch {
    return false;
  }
})();

function text(rand: () => number): string {
  const alphabet = ['a', 'b', 'c', '-', ' ', '1', '\n', '.', 'x'];
  return Array.from({ length: Math.floor(rand() * 9) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
}

describe('LinearRegex', () => {
  it('agrees with RegExp.test on 3,000 random patterns × 12 texts, and refuses what RegExp refuses', () => {
    const rand = random(20261126);
    let compared = 0;
    let refused = 0;
    let older = 0;
    for (let p = 0; p < 3000; p++) {
      const source = pattern(rand);
      let native: RegExp;
      try {
        native = new RegExp(source);
      } catch (error) {
        // ES2025 allows a group name again in another alternative; older V8 (Node < 23) refuses it.
        if (!duplicateNamesInAlternatives && /duplicate capture group name/i.test((error as Error).message)) {
          try {
            LinearRegex.compile(source);
            older++; // a name repeated in another alternative: only ES2025 engines accept it
          } catch (ours) {
            expect(ours, `/${source}/`).toBeInstanceOf(RegexSyntaxError);
            refused++;
          }
          continue;
        }
        // The generator can make what JavaScript refuses (a quantified quantifier): so must we.
        expect(() => LinearRegex.compile(source), `/${source}/`).toThrow(RegexSyntaxError);
        refused++;
        continue;
      }
      let linear: LinearRegex;
      try {
        linear = LinearRegex.compile(source);
      } catch (error) {
        // V8 of Node 24 accepts a name repeated inside its own group when that group has an
        // alternative ((?<g>a(?<g>b)*|c)); the standard, Node 26 and we refuse it.
        if (acceptsNestedDuplicateName && /duplicate group name/.test((error as Error).message)) {
          older++;
          continue;
        }
        throw new Error(`/${source}/: ${(error as Error).message}`, { cause: error });
      }
      for (let t = 0; t < 12; t++) {
        const input = text(rand);
        expect(linear.test(input), `/${source}/ on ${JSON.stringify(input)}`).toBe(native.test(input));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(25_000);
    expect(refused).toBeGreaterThan(0);
    expect(older, 'patterns on which V8 versions disagree about group names (left uncompared)').toBeLessThan(150);
  });

  it('agrees on the usual query patterns', () => {
    const cases: [string, string[]][] = [
      ['^population\\d+$', ['population1', 'population12', 'population', 'xpopulation1', 'population1\n']],
      ['\\.tif{1,2}$', ['a.tif', 'a.tiff', 'a.tifff', 'atif']],
      ['(?:DAPI|GFP)_[0-9]{3}', ['img_GFP_001.tif', 'img_RFP_001', 'DAPI_12']],
      ['\\bcell\\b', ['a cell here', 'cells', 'cell']],
      ['[^\\s]+@[a-z]+\\.org', ['me@bio.org', 'me @bio.org']],
      ['a{,2}', ['a{,2}', 'aa']],
      ['x{', ['x{', 'x']],
      ['\\x41\\u0042', ['AB', 'ab']],
      ['', ['', 'anything']],
    ];
    for (const [source, inputs] of cases) {
      const native = new RegExp(source);
      const linear = LinearRegex.compile(source);
      for (const input of inputs) expect(linear.test(input), `/${source}/ on ${JSON.stringify(input)}`).toBe(native.test(input));
    }
  });

  it('stays linear on patterns that make a backtracking engine explode', () => {
    // RegExp takes exponential time on these (a 40-character text would not finish); each runs once here.
    const evil = `${'a'.repeat(5000)}b`;
    expect(LinearRegex.compile('(a+)+$').test(evil)).toBe(false);
    expect(LinearRegex.compile('(a|a)*c').test(evil)).toBe(false);
    expect(LinearRegex.compile('(a*)*b').test(evil)).toBe(true);
    expect(LinearRegex.compile('^(\\w+\\s?)*$').test(`${'word '.repeat(2000)}!`)).toBe(false);
  });

  it('allows a group name again only in another alternative (ES2025), on every Node', () => {
    expect(LinearRegex.compile('(?<y>a)|(?<y>b)').test('b')).toBe(true);
    expect(LinearRegex.compile('x((?<y>a)|(?<y>b))z|(?<y>c)').test('xbz')).toBe(true);
    expect(() => LinearRegex.compile('(?<y>a)(?<y>b)')).toThrow("duplicate group name 'y' at position 7");
    expect(() => LinearRegex.compile('((?<y>a)|b)(?<y>c)')).toThrow("duplicate group name 'y' at position 11");
    expect(() => LinearRegex.compile('(?<y>a)(b|(?<y>c))')).toThrow("duplicate group name 'y' at position 10");
    expect(() => LinearRegex.compile('(?<y>(?<y>a))')).toThrow("duplicate group name 'y' at position 5");
  });

  it('refuses groups nested deeper than MAX_GROUP_DEPTH at their position, instead of overflowing the stack', () => {
    expect(() => LinearRegex.compile(`${'('.repeat(10_000)}a${')'.repeat(10_000)}`)).toThrow(
      `groups nested deeper than ${MAX_GROUP_DEPTH} levels at position ${MAX_GROUP_DEPTH}`,
    );
    expect(LinearRegex.compile(`${'(?:'.repeat(MAX_GROUP_DEPTH)}a${')'.repeat(MAX_GROUP_DEPTH)}`).test('xa')).toBe(true);
  });

  it('refuses what needs backtracking, and bad syntax, naming the position', () => {
    const refuse = (source: string): RegexSyntaxError => {
      try {
        LinearRegex.compile(source);
      } catch (error) {
        expect(error).toBeInstanceOf(RegexSyntaxError);
        return error as RegexSyntaxError;
      }
      throw new Error(`/${source}/ compiled`);
    };
    expect(refuse('(a)\\1').message).toBe('back-references are not supported (they need backtracking) at position 3');
    expect(refuse('a(?=b)').message).toBe('lookahead and lookbehind are not supported (they need backtracking) at position 1');
    expect(refuse('(?<!x)y').index).toBe(0);
    expect(refuse('(ab').message).toBe("missing ')' at position 0");
    expect(refuse('ab)').message).toBe("unmatched ')' at position 2");
    expect(refuse('[ab').message).toBe("missing ']' at position 0");
    expect(refuse('*a').message).toBe('nothing to repeat at position 0');
    expect(refuse('a**').message).toBe('nothing to repeat at position 2');
    expect(refuse('^*').message).toBe('nothing to repeat at position 0');
    expect(refuse('a{3,2}').message).toMatch(/numbers out of order/);
    expect(refuse('[z-a]').message).toMatch(/range out of order/);
    expect(refuse('a\\').message).toMatch(/\\ at end of pattern/);
    expect(refuse('a{1001}').message).toMatch(/repetition count above 1000/);
    expect(refuse('(a{1000}){1000}').message).toContain(`over ${MAX_PROGRAM_SIZE} steps`);
  });
});
