import type { KernelConfig } from '../config/kernel-config.js';
import type { Kernel } from '../kernel/kernel.js';

/**
 * How a command option takes its value: `string` (`--output <value>`), `number` (parsed, an error
 * when it is not a number), `boolean` (a flag, no value), `repeatable` (one or more values,
 * `-r a b` or `-r a -r b`, collected in a list).
 */
export type CommandOptionType = 'string' | 'number' | 'boolean' | 'repeatable';

/** One option of a command (`--name <value>`, `-s <value>`). */
export interface CommandOption {
  /** Long name, lower-case kebab-case without dashes (`output` for `--output`); also its key in `args.options`. */
  readonly name: string;
  /** One-letter short form (`o` for `-o`). Optional. */
  readonly short?: string;
  /** Default `string`. */
  readonly type?: CommandOptionType;
  /** One line for `--help`. */
  readonly description: string;
  /** The value's name in `--help` (`--output <dir>`); default `value`. */
  readonly valueName?: string;
  /** Value when the option is not given. */
  readonly default?: string | number | boolean | readonly string[];
  /** True: a usage error when the option is not given. Default false. */
  readonly required?: boolean;
}

/** One positional argument of a command. */
export interface CommandArgument {
  /** Its key in `args.arguments` and its name in `--help`. */
  readonly name: string;
  readonly description: string;
  /** Default true: a usage error when missing. */
  readonly required?: boolean;
  /** True: takes every remaining word (only the last argument), as a list. Default false. */
  readonly variadic?: boolean;
}

/** What a command receives: its parsed arguments and options, by name. */
export interface CommandArgs {
  /** Positional arguments by name: a string, a list for a variadic one, undefined when an optional one is absent. */
  readonly arguments: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Options by name (`options['output']`), with defaults filled in; absent options without a default are undefined. */
  readonly options: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;
}

/**
 * What the host (the `bioimageit` CLI) gives a running command.
 *
 * Exit convention: `run` resolving to nothing exits 0, to a number exits with it (1: a partial
 * failure already reported). Throwing a BioImageIT error prints `error: MESSAGE` (no stack) and
 * exits 1; throwing `usageError(message)` prints `error: MESSAGE` and exits 2, as a bad option does.
 */
export interface CommandContext {
  /** The folder the command runs in. */
  readonly cwd: string;
  /** The environment, with the workspace config's plugin `settings` filled in where it sets none. */
  readonly env: NodeJS.ProcessEnv;
  /** True when the user asked for machine-readable output (the global `--json`). */
  readonly json: boolean;
  /** The `--workspace` the user gave, if any. */
  readonly workspace?: string;
  /** True when stderr is an interactive terminal. */
  readonly interactive: boolean;
  /** Writes a line (or lines) to standard output. */
  out(text: string): void;
  /** Writes a line (or lines) to standard error. */
  err(text: string): void;
  /** The workspace's kernel, created on first call and disposed by the host when the command ends. */
  kernel(): Promise<Kernel>;
  /** The workspace's configuration (defaults outside any workspace). */
  config(): Promise<KernelConfig>;
  /** An error to throw for a usage mistake the options could not express: exits 2. */
  usageError(message: string): Error;
}

/**
 * A command a plugin contributes (`bioimageit NAME ...`), described without any command-line
 * framework: the host translates it into its own (the CLI uses commander). The plugin's manifest
 * declares it (`bioimageit.contributes.commands`: `name`, `summary`, `module`); its `module`, a
 * subpath export of the plugin package (or a file relative to a folder plugin), is imported only
 * when the command runs, and default-exports this description (its `name` the manifest's).
 *
 * ```ts
 * // my-plugin/src/cli.ts, exported as "./cli"; manifest:
 * // "contributes": { "commands": [{ "name": "hello", "summary": "say hello", "module": "./cli" }] }
 * import type { CommandDescription } from '@bioimageit/core';
 * export default {
 *   name: 'hello',
 *   summary: 'say hello',
 *   arguments: [{ name: 'who', description: 'whom to greet', required: false }],
 *   options: [{ name: 'times', short: 't', type: 'number', description: 'how many times', default: 1 }],
 *   async run({ arguments: a, options: o }, ctx) {
 *     for (let i = 0; i < Number(o['times']); i++) ctx.out(`hello ${String(a['who'] ?? 'world')}`);
 *   },
 * } satisfies CommandDescription;
 * ```
 *
 * A command has `run`, `subcommands`, or both (`run` then handles the bare command).
 */
export interface CommandDescription {
  /** Lower-case kebab-case word (`omero`, `login`). */
  readonly name: string;
  /** One line for `--help` listings. */
  readonly summary: string;
  /** Longer help text, shown by `NAME --help`; default the summary. */
  readonly description?: string;
  readonly arguments?: readonly CommandArgument[];
  readonly options?: readonly CommandOption[];
  readonly subcommands?: readonly CommandDescription[];
  /** Runs the command; resolves to its exit status (default 0; see {@link CommandContext}). */
  readonly run?: (args: CommandArgs, context: CommandContext) => Promise<number | void>;
}
