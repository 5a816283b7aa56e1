import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandArgs, CommandDescription, CommandOption } from '@bioimageit/core';

/** Runs a described command's `run` with its parsed arguments; `command` is the commander command that parsed them. */
export type RunDescribed = (description: CommandDescription, args: CommandArgs, command: Command) => Promise<void>;

/**
 * Adds `description` (a plugin's framework-neutral command, see CommandDescription in core) to
 * `parent` as a commander command, with its arguments, options and subcommands; each `run` goes
 * through `runDescribed`. Returns the new command.
 */
export function addDescribedCommand(parent: Command, description: CommandDescription, runDescribed: RunDescribed): Command {
  const command = parent
    .command(description.name)
    .summary(description.summary)
    .description(description.description ?? description.summary);
  const positional = description.arguments ?? [];
  for (const arg of positional) {
    const name = `${arg.name}${arg.variadic === true ? '...' : ''}`;
    command.argument(arg.required === false ? `[${name}]` : `<${name}>`, arg.description);
  }
  for (const option of description.options ?? []) command.addOption(toOption(option));
  for (const sub of description.subcommands ?? []) addDescribedCommand(command, sub, runDescribed);
  const run = description.run;
  if (run !== undefined) {
    command.action(async (...params: unknown[]) => {
      const cmd = params.at(-1) as Command;
      const opts = cmd.opts();
      const args: CommandArgs = {
        arguments: Object.fromEntries(positional.map((a, i) => [a.name, params[i] as string | string[] | undefined])),
        options: Object.fromEntries((description.options ?? []).map((o) => [o.name, opts[camel(o.name)] as CommandArgs['options'][string]])),
      };
      await runDescribed(description, args, cmd);
    });
  }
  return command;
}

function toOption(option: CommandOption): Option {
  const type = option.type ?? 'string';
  const value = option.valueName ?? 'value';
  const flags = `${option.short !== undefined ? `-${option.short}, ` : ''}--${option.name}${
    type === 'boolean' ? '' : type === 'repeatable' ? ` <${value}...>` : ` <${value}>`
  }`;
  const result = new Option(flags, option.description);
  if (type === 'number') {
    result.argParser((text: string) => {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`'${text}' is not a number.`);
      return n;
    });
  }
  if (option.default !== undefined) result.default(option.default);
  if (option.required === true) result.makeOptionMandatory();
  return result;
}

/** The key commander gives an option's value: `dry-run` → `dryRun`. */
function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
