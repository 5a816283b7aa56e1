/**
 * Placeholders of argv templates. A placeholder is exactly `{inputs.NAME}`, `{outputs.NAME}`,
 * `{params.NAME}`, `{env.NAME}` or `{tool.dir}`; any other brace is literal text, so code such as
 * `python -c "print({'a': 1})"` needs no escaping.
 */

/** What a placeholder refers to. */
export type PlaceholderKind = 'inputs' | 'outputs' | 'params' | 'env' | 'tool';

/** One placeholder found in a template. */
export interface TemplatePlaceholder {
  readonly kind: PlaceholderKind;
  /** The name after the dot (`dir` for `{tool.dir}`). */
  readonly name: string;
  /** The placeholder as written, braces included. */
  readonly text: string;
  /** Offset of the opening brace in the template. */
  readonly index: number;
}

const NAME = '[A-Za-z0-9_][A-Za-z0-9_-]*';
const PLACEHOLDER_SOURCE = `\\{(?:(inputs|outputs|params|env)\\.(${NAME})|(tool)\\.(dir))\\}`;
const LOOKS_LIKE_PLACEHOLDER = /\{(?:input|output|param|inputs|outputs|params|env|tool)\.[^{}\s]*\}/g;

/** The placeholders of `template`, in order. */
export function templatePlaceholders(template: string): TemplatePlaceholder[] {
  const found: TemplatePlaceholder[] = [];
  for (const match of template.matchAll(new RegExp(PLACEHOLDER_SOURCE, 'g'))) {
    const kind = (match[1] ?? match[3]) as PlaceholderKind;
    const name = match[2] ?? match[4] ?? '';
    found.push({ kind, name, text: match[0], index: match.index });
  }
  return found;
}

/**
 * Text that looks like a placeholder but is not one (`{input.i}`, `{tool.path}`, `{params.}`):
 * almost always a typo, so manifest validation reports it.
 */
export function suspiciousPlaceholders(template: string): string[] {
  const real = new Set(templatePlaceholders(template).map((p) => p.index));
  return [...template.matchAll(LOOKS_LIKE_PLACEHOLDER)].filter((m) => !real.has(m.index)).map((m) => m[0]);
}

/**
 * Replaces every placeholder of `template` in one pass with `resolve(placeholder)`. Replacement
 * text is never scanned again, so a value containing `{env.SECRET}` stays literal.
 */
export function substituteTemplate(template: string, resolve: (placeholder: TemplatePlaceholder) => string): string {
  let out = '';
  let last = 0;
  for (const placeholder of templatePlaceholders(template)) {
    out += template.slice(last, placeholder.index) + resolve(placeholder);
    last = placeholder.index + placeholder.text.length;
  }
  return out + template.slice(last);
}

/** Builds the placeholder text for `kind` and `name` (`{params.sigma}`, `{tool.dir}`). */
export function placeholder(kind: PlaceholderKind, name: string): string {
  return kind === 'tool' ? '{tool.dir}' : `{${kind}.${name}}`;
}

/** True when `name` can appear in a placeholder. */
export function isPlaceholderName(name: string): boolean {
  return new RegExp(`^${NAME}$`).test(name);
}
