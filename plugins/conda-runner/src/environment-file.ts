import { ToolError } from '@bioimageit/core';

/** The parts of a conda environment file (`environment.yml`) the runner uses. */
export interface EnvironmentFile {
  readonly name?: string;
  readonly channels: readonly string[];
  /** Conda package specs (`python=3.11`, `numpy>=1.24`). */
  readonly dependencies: readonly string[];
  /** Specs under `- pip:`: installed by pip after the conda packages (conda command only). */
  readonly pip: readonly string[];
  /** `variables:`: set in the environment on activation (conda's `conda-meta/state` env_vars). */
  readonly variables: Readonly<Record<string, string>>;
}

const unquote = (text: string): string => {
  const t = text.trim();
  return (t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")) ? t.slice(1, -1) : t;
};

/** Drops a `# comment` that is not inside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] as string))) return line.slice(0, i);
  }
  return line;
}

const inlineList = (value: string): string[] =>
  value
    .slice(1, -1)
    .split(',')
    .map(unquote)
    .filter((v) => v !== '');

/**
 * Parses the YAML subset conda environment files use: `name:`, `channels:` and `dependencies:`
 * as block lists (`- item`) or flow lists (`[a, b]`), a nested `- pip:` list, `variables:` as a
 * block (`  KEY: value`) or flow (`{KEY: value}`) mapping, comments and quotes. Other top-level
 * keys (`prefix`) and what is nested under them are ignored. Throws ToolError BAD_MANIFEST naming
 * the file and line of anything else.
 */
export function parseEnvironmentFile(text: string, file: string): EnvironmentFile {
  let name: string | undefined;
  const lists: Record<'channels' | 'dependencies' | 'pip', string[]> = { channels: [], dependencies: [], pip: [] };
  const variables: Record<string, string> = {};
  const setVariable = (entry: string, lineNo: number): void => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw bad(lineNo, `expected 'NAME: value' in variables but found '${entry}'`);
    variables[unquote(entry.slice(0, colon))] = unquote(entry.slice(colon + 1));
  };
  let section: string | undefined;
  let pipIndent: number | undefined;
  const bad = (line: number, why: string): ToolError => new ToolError('BAD_MANIFEST', `${file}:${line}: ${why}`, { details: { file, line } });
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = stripComment(raw).replace(/\s+$/, '');
    if (line.trim() === '' || line.trim() === '---') return;
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (indent === 0 && !body.startsWith('-')) {
      const colon = body.indexOf(':');
      if (colon < 0) throw bad(lineNo, `expected 'key:' but found '${body}'`);
      const key = body.slice(0, colon).trim();
      const value = body.slice(colon + 1).trim();
      section = key;
      pipIndent = undefined;
      if (key === 'name') name = unquote(value);
      else if ((key === 'channels' || key === 'dependencies') && value.startsWith('[') && value.endsWith(']')) lists[key].push(...inlineList(value));
      else if ((key === 'channels' || key === 'dependencies') && value !== '') throw bad(lineNo, `'${key}' must be a list`);
      else if (key === 'variables' && value.startsWith('{') && value.endsWith('}')) {
        for (const entry of value.slice(1, -1).split(',')) if (entry.trim() !== '') setVariable(entry, lineNo);
      }
      return;
    }
    if (section === 'variables') return setVariable(body, lineNo);
    if (section !== 'channels' && section !== 'dependencies' && section !== undefined) return;
    if (!body.startsWith('-')) throw bad(lineNo, `expected a list item ('- ...') but found '${body}'`);
    const item = body.slice(1).trim();
    if (section === 'dependencies') {
      if (pipIndent !== undefined && indent > pipIndent) {
        lists.pip.push(unquote(item));
        return;
      }
      pipIndent = undefined;
      if (/^pip\s*:/.test(item)) {
        pipIndent = indent;
        const rest = item.slice(item.indexOf(':') + 1).trim();
        if (rest.startsWith('[')) lists.pip.push(...inlineList(rest));
        return;
      }
      if (item.includes(':') && !item.includes('::')) throw bad(lineNo, `unsupported dependency entry '${item}'`);
      lists.dependencies.push(unquote(item));
    } else if (section === 'channels') lists.channels.push(unquote(item));
    else if (section === undefined) throw bad(lineNo, 'a list item outside any key');
  });
  return { ...(name !== undefined && name !== '' && { name }), channels: lists.channels, dependencies: lists.dependencies, pip: lists.pip, variables };
}
