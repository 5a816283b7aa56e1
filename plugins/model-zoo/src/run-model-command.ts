import { openModelPackage } from './package/model-package.js';
import { predictImage } from './inference/index.js';

/** A problem with run-model's arguments: exit code 2. */
class RunModelArgumentError extends Error {}

/** What {@link parseRunModelArgs} reads from the tool script's argv. */
export interface RunModelArgs {
  /** The installed package folder. */
  readonly model: string;
  /** Image path of each input tensor id (`--input-<id> PATH`). */
  readonly inputs: Readonly<Record<string, string>>;
  /** Output path of each output tensor id (`--output-<id> PATH`). */
  readonly outputs: Readonly<Record<string, string>>;
  /** Tile size per spatial axis, 0 = automatic. */
  readonly tile: number;
  /** ONNX Runtime threads, 0 = its default. */
  readonly threads: number;
}

function wholeNumber(name: string, text: string | undefined): number {
  const value = Number((text ?? '0').trim() || '0');
  if (!Number.isInteger(value) || value < 0) throw new RunModelArgumentError(`--${name} must be a whole number ≥ 0, got '${text ?? ''}'`);
  return value;
}

/**
 * Parses `--model ROOT --input-<id> PATH… --output-<id> PATH… [--tile N] [--threads N]` (also the
 * `--name=value` form). Throws (exit 2 in {@link runModelCommand}) on anything else.
 */
export function parseRunModelArgs(argv: readonly string[]): RunModelArgs {
  const values: Record<string, string> = {};
  const inputs: Record<string, string> = {};
  const outputs: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new RunModelArgumentError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new RunModelArgumentError(`--${name} needs a value`);
    const tensor = /^(input|output)-(.+)$/.exec(name);
    if (tensor !== null) (tensor[1] === 'input' ? inputs : outputs)[tensor[2] as string] = value;
    else if (['model', 'tile', 'threads'].includes(name)) values[name] = value;
    else throw new RunModelArgumentError(`unknown option --${name} (options: --model, --input-<tensor>, --output-<tensor>, --tile, --threads)`);
  }
  const model = values['model'];
  if (model === undefined || model === '') throw new RunModelArgumentError('missing --model (the installed package folder)');
  if (Object.keys(inputs).length === 0) throw new RunModelArgumentError('missing --input-<tensor> PATH');
  if (Object.keys(outputs).length === 0) throw new RunModelArgumentError('missing --output-<tensor> PATH');
  return {
    model,
    inputs,
    outputs,
    tile: wholeNumber('tile', values['tile']),
    threads: wholeNumber('threads', values['threads']),
  };
}

/**
 * The body of `tools/run-model.mjs`, the script every model tool starts: opens the installed
 * package, runs it on the input images (tiled when they are larger than a tile) and writes one
 * OME-TIFF per output tensor, printing `progress: N%` lines (read by the job engine as the job's
 * progress) and the runtime that ran. Failures print one `run-model: error: …` line on stderr and set
 * the exit code to 2 (arguments) or 1 (anything else).
 */
export async function runModelCommand(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  try {
    const args = parseRunModelArgs(argv);
    const started = Date.now();
    const pkg = await openModelPackage(args.model);
    out(`model: ${pkg.description.id} ${pkg.description.version} (${pkg.root})`);
    let last = -1;
    const result = await predictImage(pkg, Object.fromEntries(Object.entries(args.inputs).map(([id, path]) => [id, { path }])), args.outputs, {
      ...(args.tile > 0 && { tile: args.tile }),
      ...(args.threads > 0 && { threads: args.threads }),
      onProgress: (fraction: number) => {
        const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
        if (percent === last) return;
        last = percent;
        out(`progress: ${percent}%`);
      },
    });
    if (last < 100) out('progress: 100%');
    for (const [id, written] of Object.entries(result.outputs))
      out(`output ${id}: ${written.path} (${written.axes} ${written.shape.join('×')} ${written.dtype})`);
    out(`runtime: ${result.runtime}; ${result.samples} sample(s) × ${result.tilesPerSample} tile(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    process.stderr.write(`run-model: error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof RunModelArgumentError ? 2 : 1;
  }
}
