import { Command, CommanderError } from 'commander';
import { CliContext } from './context.js';
import { describeError, processOutput } from './output.js';
import type { RunCliOptions } from './run-cli-options.js';
import { UsageError } from './usage-error.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerExperimentCommand } from './commands/experiment-command.js';
import { registerImportCommand } from './commands/import-command.js';
import { registerInitCommand } from './commands/init-command.js';
import { registerItemCommand } from './commands/item-command.js';
import { registerPluginNewCommand } from './commands/plugin-new-command.js';
import { registerPluginsCommand } from './commands/plugins-command.js';
import { registerProvenanceCommand } from './commands/provenance-command.js';
import { registerPipelineCommand } from './commands/pipeline-command.js';
import { registerQueryCommand } from './commands/query-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerRunsCommand } from './commands/runs-command.js';
import { registerServeCommand } from './commands/serve-command.js';
import { registerTagCommand } from './commands/tag-command.js';
import { registerToolsCommand } from './commands/tools-command.js';
import { CLI_VERSION } from './version.js';
import { discoverPluginCommands } from './plugin-commands/discover-plugin-commands.js';
import { mountPluginCommands, workspaceArgument } from './plugin-commands/mount-plugin-commands.js';

export type { RunCliOptions } from './run-cli-options.js';

/**
 * Runs the `bioimageit` command with `argv` (without the node and script paths) and resolves to
 * its exit code: 0 success, 1 a failure (one `error:` line, or partial import failures), 2 a
 * usage error. Never throws; never prints a stack trace unless BIOIMAGEIT_DEBUG=1.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const output = options.output ?? processOutput;
  const ctx = new CliContext(output, options.cwd ?? process.cwd(), options.env ?? process.env);
  const program = new Command('bioimageit')
    .description('BioImageIT: manage, tag, query and analyse bioimage data')
    .version(CLI_VERSION)
    .option('--workspace <dir>', 'workspace folder (default: BIOIMAGEIT_WORKSPACE, or the nearest folder above with bioimageit.config.json)')
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.out(s.replace(/\n$/, '')), writeErr: (s) => output.err(s.replace(/\n$/, '')) });
  registerInitCommand(program, ctx);
  registerExperimentCommand(program, ctx);
  registerImportCommand(program, ctx);
  registerTagCommand(program, ctx);
  registerQueryCommand(program, ctx);
  registerItemCommand(program, ctx);
  registerPluginsCommand(program, ctx);
  registerPluginNewCommand(program, ctx);
  registerToolsCommand(program, ctx);
  registerRunCommand(program, ctx);
  registerRunsCommand(program, ctx);
  registerPipelineCommand(program, ctx);
  registerProvenanceCommand(program, ctx);
  registerDemoCommand(program, ctx, runCli);
  registerServeCommand(program, ctx);
  let problems: readonly Error[] = [];
  try {
    // Commands plugins contribute (their manifests read, no plugin code run; see plugin-commands/).
    const builtins = new Set(['help', ...program.commands.flatMap((c) => [c.name(), ...c.aliases()])]);
    const discovered = await discoverPluginCommands(ctx.cwd, ctx.env, workspaceArgument(argv), builtins);
    problems = discovered.problems;
    await mountPluginCommands(program, ctx, discovered.commands, argv);
    for (const cmd of allCommands(program)) cmd.exitOverride();
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // An unknown command may be a plugin's that could not be read: say why.
      if (err.code === 'commander.unknownCommand') for (const problem of problems) output.err(`note: ${describeError(problem).replace(/^error: /, '')}`);
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
    }
    output.err(err instanceof UsageError ? `error: ${err.message}` : describeError(err));
    return err instanceof UsageError ? 2 : 1;
  } finally {
    await ctx.close();
  }
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}
