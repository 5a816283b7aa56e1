import type { CommandArgs, CommandContext, CommandDescription } from '@bioimageit/core';

/** Where a test runs a command: its output lines, folder and environment. */
export interface TestIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * Runs a described command the way the CLI does, without the CLI (this package does not depend on
 * it): `argv` as typed after `bioimageit` (`['--json', 'omero', 'ls']`): the global `--json`
 * anywhere, subcommands by name, options by long or short name (a `repeatable` one takes the words
 * up to the next option), then positional arguments. Enough for these tests; the CLI's own
 * translation (commander) is tested in tests/src.
 */
export async function runCommand(description: CommandDescription, argv: readonly string[], io: TestIo): Promise<void> {
  const words = argv.filter((w) => w !== '--json');
  let command = description;
  if (words[0] !== description.name) throw new Error(`not a '${description.name}' command line: ${argv.join(' ')}`);
  let i = 1;
  for (;;) {
    const sub = command.subcommands?.find((s) => s.name === words[i]);
    if (sub === undefined) break;
    command = sub;
    i++;
  }
  const options: Record<string, CommandArgs['options'][string]> = {};
  const positional: string[] = [];
  for (; i < words.length; i++) {
    const word = words[i] as string;
    const option = command.options?.find((o) => word === `--${o.name}` || (o.short !== undefined && word === `-${o.short}`));
    if (option === undefined) {
      if (word.startsWith('-')) throw new Error(`unknown option '${word}'`);
      positional.push(word);
    } else if (option.type === 'boolean') options[option.name] = true;
    else if (option.type === 'repeatable') {
      const values: string[] = [];
      while (i + 1 < words.length && !(words[i + 1] as string).startsWith('-')) values.push(words[++i] as string);
      options[option.name] = values;
    } else options[option.name] = words[++i];
  }
  const args: CommandArgs = {
    arguments: Object.fromEntries((command.arguments ?? []).map((a, k) => [a.name, a.variadic === true ? positional.slice(k) : positional[k]])),
    options,
  };
  const context: CommandContext = {
    cwd: io.cwd,
    env: io.env,
    json: argv.includes('--json'),
    interactive: false,
    out: (text) => io.out(text),
    err: (text) => io.err(text),
    kernel: () => Promise.reject(new Error('no kernel in these tests')),
    config: () => Promise.reject(new Error('no config in these tests')),
    usageError: (message) => new Error(message),
  };
  if (command.run === undefined) throw new Error(`'${command.name}' needs a subcommand`);
  await command.run(args, context);
}
