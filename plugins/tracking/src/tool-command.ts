import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

/** A problem with a tool script's arguments: exit code 2, as other usage errors. */
export class ToolArgumentError extends Error {}

/** The parsed `--name VALUE` options of a tool script. */
export type ToolArgs = Readonly<Record<string, string | undefined>>;

/**
 * Runs the body of one of this plugin's tool scripts: parses `argv` (`--name VALUE` for each of
 * `required` and `optional`), calls `body`, and turns failures into one `TOOL: error: …` line on
 * stderr with exit code 2 (arguments) or 1 (anything else). `progress: N%` lines written by the
 * body are read by the job engine as job progress.
 */
export async function runToolCommand(
  tool: string,
  argv: readonly string[],
  names: { required: readonly string[]; optional?: readonly string[] },
  body: (args: ToolArgs) => Promise<void>,
): Promise<void> {
  try {
    const all = [...names.required, ...(names.optional ?? [])];
    let values: Record<string, string | undefined>;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: Object.fromEntries(all.map((n) => [n, { type: 'string' as const }])),
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new ToolArgumentError(`${(error as Error).message} (options: ${all.map((n) => `--${n}`).join(', ')})`);
    }
    const missing = names.required.filter((n) => values[n] === undefined || values[n] === '');
    if (missing.length > 0) throw new ToolArgumentError(`missing ${missing.map((n) => `--${n}`).join(', ')}`);
    await body(values);
  } catch (error) {
    process.stderr.write(`${tool}: error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof ToolArgumentError ? 2 : 1;
  }
}

/** A number option within `[min, max]` (whole when `integer`); ToolArgumentError naming it otherwise. An empty or absent value gives `fallback` when one is given. */
export function numberOption(args: ToolArgs, name: string, range: { min?: number; max?: number; integer?: boolean; fallback?: number } = {}): number {
  const text = (args[name] ?? '').trim();
  if (text === '' && range.fallback !== undefined) return range.fallback;
  const value = Number(text);
  const { min = -Infinity, max = Infinity, integer = false } = range;
  if (text === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw new ToolArgumentError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got '${text}'`);
  if (value < min || value > max) throw new ToolArgumentError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** `true`/`false` (also 1/0, yes/no); ToolArgumentError naming the option otherwise; absent gives `fallback`. */
export function booleanOption(args: ToolArgs, name: string, fallback: boolean): boolean {
  const text = (args[name] ?? '').trim().toLowerCase();
  if (text === '') return fallback;
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  throw new ToolArgumentError(`--${name} must be true or false, got '${args[name]}'`);
}

/** The paths of a list file (a grouped input: one absolute path per line), in order. */
export async function readListFile(path: string, input: string): Promise<string[]> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new Error(`input '${input}' lists no file (${path})`);
  return lines;
}

/** Writes a `progress: N%` line (read by the job engine). */
export function reportProgress(percent: number): void {
  process.stdout.write(`progress: ${Math.round(percent)}%\n`);
}
