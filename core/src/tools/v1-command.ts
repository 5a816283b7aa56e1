import { placeholder } from './argv-template.js';

/** The names a v1 command may reference, by what they become in the argv template. */
export interface V1CommandNames {
  readonly inputs: ReadonlySet<string>;
  readonly outputs: ReadonlySet<string>;
  readonly params: ReadonlySet<string>;
}

/** A problem in the command text at `offset` (0-based, into the text given). */
export class V1CommandSyntaxError extends Error {
  constructor(
    readonly offset: number,
    why: string,
  ) {
    super(why);
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const BRACED = /^-*[A-Za-z0-9_][A-Za-z0-9_-]*$/;
/** v1's built-in variables, matched as prefixes (`$__tool_directory__script.py`). */
const SPECIALS = [
  ['$__tool_directory__', '__tool_directory__'],
  ['$__fiji__', '__fiji__'],
] as const;

/**
 * Converts the text of a v1 `<command>` into an argv template. The text is split into words like
 * POSIX `shlex.split` does *before* anything is substituted (v1 substituted first, so a value with
 * a space became two arguments): whitespace separates words, single and double quotes group,
 * backslash escapes outside quotes and `\\ \" \$` inside double quotes, backslash-newline continues
 * a line. References become placeholders: `${i}`/`$i` of a data input → `{inputs.i}`, of an
 * output → `{outputs.o}`, of a parameter → `{params.x}` (`${--x}` also names parameter `x`, as
 * v1 strips dashes); `$__tool_directory__` → `{tool.dir}/` (v1's value ends with a separator, and
 * wrappers write `$__tool_directory__script.py`; no slash is added before a `/`); `$__fiji__` →
 * `{env.fiji}`; any other `${x}` → `{env.x}` (a config `env` value such as `${python}`); an unknown
 * unbraced `$x` stays literal, as in v1. References are replaced inside single quotes too, because
 * v1 replaced them in the raw text. A word mixing text and references stays one word
 * (`--out=${o}` → `--out={outputs.o}`).
 *
 * @throws V1CommandSyntaxError for an unterminated quote or an unsupported `${...}` expression.
 */
export function v1CommandToArgv(command: string, names: V1CommandNames): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: { readonly char: string; readonly at: number } | undefined;
  let i = 0;
  const append = (text: string): void => {
    word = (word ?? '') + text;
  };
  while (i < command.length) {
    const c = command[i] as string;
    const next = command[i + 1];
    if (quote === undefined && /\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === '\\' && next === '\n' && quote?.char !== "'") {
      i += 2;
    } else if (c === '\\' && quote === undefined) {
      append(next ?? '');
      i += 2;
    } else if (c === '\\' && quote?.char === '"' && (next === '"' || next === '\\' || next === '$')) {
      append(next);
      i += 2;
    } else if (quote === undefined && (c === '"' || c === "'")) {
      quote = { char: c, at: i };
      append('');
      i++;
    } else if (quote !== undefined && c === quote.char) {
      quote = undefined;
      i++;
    } else if (c === '$') {
      const ref = reference(command, i, names);
      append(ref.text);
      i += ref.length;
    } else {
      append(c);
      i++;
    }
  }
  if (quote !== undefined) throw new V1CommandSyntaxError(quote.at, `unterminated ${quote.char === '"' ? 'double' : 'single'} quote`);
  if (word !== undefined) words.push(word);
  return words;
}

function reference(command: string, at: number, names: V1CommandNames): { text: string; length: number } {
  for (const [special, name] of SPECIALS) {
    const braced = `\${${name}}`;
    const text = command.startsWith(special, at) ? special : command.startsWith(braced, at) ? braced : undefined;
    if (text === undefined) continue;
    const dir = name === '__tool_directory__' && command[at + text.length] !== '/' ? '/' : '';
    return { text: (resolve(name, names) as string) + dir, length: text.length };
  }
  if (command[at + 1] === '{') {
    const close = command.indexOf('}', at + 2);
    const inner = close === -1 ? '' : command.slice(at + 2, close);
    const found = BRACED.test(inner) ? (resolve(inner, names) ?? resolve(inner.replace(/-/g, ''), names)) : undefined;
    if (found === undefined && IDENT.exec(inner)?.[0] !== inner) {
      const shown = close === -1 ? command.slice(at, at + 20) : command.slice(at, close + 1);
      throw new V1CommandSyntaxError(at, `unsupported expression '${shown}' (only \${name} references are supported)`);
    }
    return { text: found ?? placeholder('env', inner), length: inner.length + 3 };
  }
  const name = IDENT.exec(command.slice(at + 1))?.[0];
  if (name === undefined) return { text: '$', length: 1 };
  return { text: resolve(name, names) ?? `$${name}`, length: name.length + 1 };
}

function resolve(name: string, names: V1CommandNames): string | undefined {
  if (names.inputs.has(name)) return placeholder('inputs', name);
  if (names.outputs.has(name)) return placeholder('outputs', name);
  if (names.params.has(name)) return placeholder('params', name);
  if (name === '__tool_directory__') return placeholder('tool', 'dir');
  if (name === '__fiji__') return placeholder('env', 'fiji');
  return undefined;
}
