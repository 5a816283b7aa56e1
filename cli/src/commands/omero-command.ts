import type { Command } from 'commander';
import { registerOmeroCommand as registerOmeroCommands } from '@bioimageit/omero/cli';
import type { CliContext } from '../context.js';

/**
 * `bioimageit omero login|logout|ls|tag|pull`: the commands of @bioimageit/omero (which loads its
 * HTTP client only when one of them runs), writing through the CLI's output.
 */
export function registerOmeroCommand(program: Command, ctx: CliContext): void {
  registerOmeroCommands(program, { out: (text) => ctx.output.out(text), err: (text) => ctx.output.err(text), env: ctx.env, cwd: ctx.cwd });
}
