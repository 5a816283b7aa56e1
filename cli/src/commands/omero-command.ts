import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../usage-error.js';

// The registration module of @bioimageit/omero is light (its HTTP client loads only when a command
// runs); without the package the rest of the CLI still works and `omero` says what is missing.
const omero = await import('@bioimageit/omero/cli').catch((error: unknown) => error as Error);

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
  omero.registerOmeroCommand(program, { out: (text) => ctx.output.out(text), err: (text) => ctx.output.err(text), env: ctx.env, cwd: ctx.cwd });
}
