/**
 * The command-line frame of the bundled tool scripts: option parsing with clear messages,
 * `progress: N%` lines (read by the job engine as job progress), and one `error:` line on stderr
 * with a non-zero exit code for any failure.
 */
import { parseArgs } from 'node:util';

/** A problem with the arguments: reported with exit code 2, like other usage errors. */
export class ArgumentError extends Error {}

/**
 * Runs a tool script: parses `process.argv` against `options` (each `--name VALUE`, all required
 * unless listed in `optional`), then calls `body` with the values. A bad or missing argument prints
 * `<tool>: error: …` and exits with 2; any other failure prints `<tool>: error: …` and exits with 1.
 * @param {string} tool
 * @param {readonly string[]} names
 * @param {(args: Record<string, string>) => Promise<void>} body
 * @param {{ optional?: readonly string[]; argv?: readonly string[] }} [settings]
 */
export async function runToolScript(tool, names, body, settings = {}) {
  try {
    const args = parseToolArgs(names, settings.argv ?? process.argv.slice(2), settings.optional ?? []);
    await body(args);
  } catch (error) {
    process.stderr.write(`${tool}: error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof ArgumentError ? 2 : 1;
  }
}

/**
 * `--name VALUE` options, each once; throws ArgumentError for unknown, repeated or missing ones.
 * @param {readonly string[]} names
 * @param {readonly string[]} argv
 * @param {readonly string[]} optional
 * @returns {Record<string, string>}
 */
export function parseToolArgs(names, argv, optional = []) {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ArgumentError(`${error instanceof Error ? error.message : String(error)} (options: ${names.map((n) => `--${n}`).join(', ')})`);
  }
  const missing = names.filter((n) => !optional.includes(n) && (values[n] === undefined || values[n] === ''));
  if (missing.length > 0) throw new ArgumentError(`missing ${missing.map((n) => `--${n}`).join(', ')}`);
  return /** @type {Record<string, string>} */ (values);
}

/**
 * A number argument within `[min, max]`; `integer` requires a whole number. Throws ArgumentError
 * naming the option otherwise.
 * @param {string} text
 * @param {string} name
 * @param {{ min?: number; max?: number; integer?: boolean }} [range]
 */
export function numberArg(text, name, range = {}) {
  const value = Number(text);
  const { min = -Infinity, max = Infinity, integer = false } = range;
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new ArgumentError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got '${text}'`);
  }
  if (value < min || value > max) throw new ArgumentError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/**
 * One of `allowed`, or ArgumentError naming the option and the allowed values.
 * @template {string} T
 * @param {string} text
 * @param {string} name
 * @param {readonly T[]} allowed
 * @returns {T}
 */
export function choiceArg(text, name, allowed) {
  if (!allowed.includes(/** @type {T} */ (text))) throw new ArgumentError(`--${name} must be one of ${allowed.join(', ')}, got '${text}'`);
  return /** @type {T} */ (text);
}

/** Prints `progress: N%` (0..100, rounded) on stdout. @param {number} percent */
export function progress(percent) {
  process.stdout.write(`progress: ${Math.round(Math.max(0, Math.min(100, percent)))}%\n`);
}
