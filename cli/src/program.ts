import { Command, CommanderError } from 'commander';
import { CliContext } from './context.js';
import { describeError, processOutput } from './output.js';
import type { RunCli, RunCliOptions } from './run-cli-options.js';
import { UsageError } from './usage-error.js';
import { CLI_VERSION } from './version.js';
import { discoverPluginCommands } from './plugin-commands/discover-plugin-commands.js';
import { commandWords, mountPluginCommands, workspaceArgument } from './plugin-commands/mount-plugin-commands.js';

export type { RunCliOptions } from './run-cli-options.js';

/** Adds one built-in command (its options and action) to the program. */
type Register = (program: Command, ctx: CliContext, runCli: RunCli) => void;

/**
 * The built-in commands in help order: each name (and alias) with the module that registers it,
 * imported only when the command can run, so a command loads the code it uses and no other
 * (`--help` and unknown words load them all).
 */
const BUILTINS: readonly { readonly names: readonly string[]; readonly load: () => Promise<Register> }[] = [
  { names: ['init'], load: async () => (await import('./commands/init-command.js')).registerInitCommand },
  { names: ['experiment', 'exp'], load: async () => (await import('./commands/experiment-command.js')).registerExperimentCommand },
  { names: ['import'], load: async () => (await import('./commands/import-command.js')).registerImportCommand },
  { names: ['tag'], load: async () => (await import('./commands/tag-command.js')).registerTagCommand },
  { names: ['query'], load: async () => (await import('./commands/query-command.js')).registerQueryCommand },
  { names: ['item'], load: async () => (await import('./commands/item-command.js')).registerItemCommand },
  { names: ['plugins'], load: async () => (await import('./commands/plugins-command.js')).registerPluginsCommand },
  { names: ['plugin'], load: async () => (await import('./commands/plugin-new-command.js')).registerPluginNewCommand },
  { names: ['tools'], load: async () => (await import('./commands/tools-command.js')).registerToolsCommand },
  { names: ['run'], load: async () => (await import('./commands/run-command.js')).registerRunCommand },
  { names: ['runners'], load: async () => (await import('./commands/runners-command.js')).registerRunnersCommand },
  { names: ['runs'], load: async () => (await import('./commands/runs-command.js')).registerRunsCommand },
  { names: ['pipeline'], load: async () => (await import('./commands/pipeline-command.js')).registerPipelineCommand },
  { names: ['provenance', 'prov'], load: async () => (await import('./commands/provenance-command.js')).registerProvenanceCommand },
  { names: ['demo'], load: async () => (await import('./commands/demo-command.js')).registerDemoCommand },
  { names: ['serve'], load: async () => (await import('./commands/serve-command.js')).registerServeCommand },
];

/**
 * Runs the `bioimageit` command with `argv` (without the node and script paths) and resolves to
 * its exit code: 0 success, 1 a failure (one `error:` line, or partial import failures), 2 a
 * usage error. Never throws; never prints a stack trace unless BIOIMAGEIT_DEBUG=1.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const output = options.output ?? processOutput;
  const ctx = new CliContext(output, options.cwd ?? process.cwd(), options.env ?? process.env, options.hostModules);
  const program = new Command('bioimageit')
    .description('BioImageIT: manage, tag, query and analyse bioimage data')
    .version(CLI_VERSION)
    .option('--workspace <dir>', 'workspace folder (default: BIOIMAGEIT_WORKSPACE, or the nearest folder above with bioimageit.config.json)')
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.out(s.replace(/\n$/, '')), writeErr: (s) => output.err(s.replace(/\n$/, '')) });
  // Steps the demo runs get this run's host modules.
  const runNested: RunCli = (nestedArgv, nested) => runCli(nestedArgv, { ...(options.hostModules && { hostModules: options.hostModules }), ...nested });
  let problems: readonly Error[] = [];
  try {
    const words = commandWords(argv);
    // `bioimageit --version` needs no command.
    const versionOnly = words.length === 0 && argv.some((a) => a === '-V' || a === '--version') && !argv.some((a) => a === '-h' || a === '--help');
    if (!versionOnly) {
      // Commands plugins contribute (their manifests read, no plugin code run; see plugin-commands/).
      const builtins = new Set(['help', ...BUILTINS.flatMap((b) => b.names)]);
      const discovered = await discoverPluginCommands(ctx.cwd, ctx.env, workspaceArgument(argv), builtins);
      problems = discovered.problems;
      // The built-in command asked for, none for a plugin's command, else all (help, suggestions).
      const invoked = BUILTINS.find((b) => b.names.includes(words[0] ?? ''));
      const forPlugin = discovered.commands.some((c) => c.declaration.name === words[0]);
      const wanted = invoked !== undefined ? [invoked] : forPlugin ? [] : BUILTINS;
      for (const register of await Promise.all(wanted.map((b) => b.load()))) register(program, ctx, runNested);
      await mountPluginCommands(program, ctx, discovered.commands, argv);
    }
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
