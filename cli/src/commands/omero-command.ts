import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { UsageError } from '../usage-error.js';

/** What @bioimageit/omero/cli exports (see plugins/omero/src/cli/omero-command.ts). */
interface OmeroCommands {
  registerOmeroCommand(program: Command, io: { out(text: string): void; err(text: string): void; readonly env: NodeJS.ProcessEnv; readonly cwd: string }): void;
}

// Loaded at startup when installed: its registration module is light (the HTTP client loads only
// when a command runs). A specifier in a variable keeps the CLI's build free of the plugin's build
// output; without the package the rest of the CLI works and `omero` says what is missing.
const specifier = '@bioimageit/omero/cli';
const omero = await (import(specifier) as Promise<OmeroCommands>).catch((error: unknown) => error as Error);

/**
 * `bioimageit omero login|logout|ls|tag|pull`: the commands of @bioimageit/omero, writing through
 * the CLI's output.
 */
export function registerOmeroCommand(program: Command, ctx: CliContext): void {
  if (omero instanceof Error) {
    program
      .command('omero')
      .description('browse, tag and download data on OMERO servers (needs @bioimageit/omero)')
      .allowUnknownOption()
      .argument('[args...]')
      .action(() => {
        throw new UsageError(`'omero' needs the @bioimageit/omero package (npm install @bioimageit/omero): ${omero.message}`);
      });
    return;
  }
  // The plugin reads `io.env` when a command runs: a preAction hook first fills in the workspace
  // config's `settings` (BIOIMAGEIT_OMERO_SERVERS, _CA_FILE...) where the environment sets none.
  const io = { out: (text: string) => ctx.output.out(text), err: (text: string) => ctx.output.err(text), env: ctx.env, cwd: ctx.cwd };
  omero.registerOmeroCommand(program, io);
  program.commands
    .find((c) => c.name() === 'omero')
    ?.hook('preAction', async (_omero, action) => {
      io.env = await ctx.settingsEnvironment(action.optsWithGlobals<GlobalOptions>());
    });
}
