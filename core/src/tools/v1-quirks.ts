import { ToolError } from '../errors/area-errors.js';
import type { XmlElement } from './xml-parser.js';

/**
 * Things published v1 wrappers contain that BioImageIT v1 accepts without a word (its parser
 * reads what it needs and checks nothing) but that a native manifest may not hold:
 *
 * - `duplicate-choice`: a `<param type="select">` lists the same `<option value>` twice (the first
 *   is kept);
 * - `empty-test-file`: a `<tests>` `<output file="">` (no file to compare with: only the output's
 *   existence is checked);
 * - `decimal-integer-bound`: `min="0.0"` / `max="1.0"` on an integer parameter (v1 ignores
 *   bounds; an integral value is read as that integer, another one is rounded inwards).
 */
export type V1Quirk = 'duplicate-choice' | 'empty-test-file' | 'decimal-integer-bound';

/** A v1 quirk met while loading a wrapper: the wrapper loaded as v1 reads it. */
export interface ToolLoadWarning {
  /** Absolute path of the wrapper. */
  readonly file: string;
  /** 1-based line of the element concerned. */
  readonly line: number;
  readonly quirk: V1Quirk;
  /** `FILE: line N: <tag>: what (quirk; how it is read)`; also the text `strict` refuses with. */
  readonly message: string;
}

/** How tool files are loaded. */
export interface ToolLoadOptions {
  /**
   * Refuse v1 quirks (ToolError BAD_MANIFEST with the warning's text, `details.quirk` naming it)
   * instead of loading the wrapper with a warning. `bioimageit tools validate --strict` sets it.
   */
  readonly strict?: boolean;
  /** Called once per quirk of a wrapper that loads (never in strict mode). */
  readonly onWarning?: (warning: ToolLoadWarning) => void;
}

/**
 * Reports one quirk of `element`: a warning, or (strict) ToolError BAD_MANIFEST with the same
 * text (`details`: file, line, quirk, field).
 */
export type V1QuirkReport = (element: XmlElement, quirk: V1Quirk, why: string, field?: string) => void;

/** Makes the {@link V1QuirkReport} of one wrapper file. */
export function v1QuirkReport(file: string, options: ToolLoadOptions = {}): V1QuirkReport {
  return (element, quirk, why, field) => {
    const message = `${file}: line ${element.line}: <${element.name}>: ${why} (${QUIRK_NAMES[quirk]})`;
    if (options.strict === true) {
      throw new ToolError('BAD_MANIFEST', message, { details: { file, line: element.line, quirk, ...(field === undefined ? {} : { field }) } });
    }
    options.onWarning?.({ file, line: element.line, quirk, message });
  };
}

const QUIRK_NAMES: Readonly<Record<V1Quirk, string>> = {
  'duplicate-choice': 'v1 quirk: duplicate choice',
  'empty-test-file': 'v1 quirk: empty test file',
  'decimal-integer-bound': 'v1 quirk: decimal bound on an integer parameter',
};
